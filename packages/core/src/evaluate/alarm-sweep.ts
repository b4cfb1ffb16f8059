import type { PredictionSet } from '../train/cascade/predictions';
import type { PostProcessingRule } from './alarms';
import { addEventCounts, countRecordingEvents, emptyEventCounts, eventRates, type EventCounts, type EventRates } from './event-metrics';
import { withDecisions, type RecordingTimeline } from './recordings';

/** One alternative alarm rule (k of n, the spec's refractory time) and what it gives on a fold's test recordings. */
export interface AlarmSweepRow {
  k: number;
  n: number;
  counts: EventCounts;
}

/** The deployed method's decisions under each alternative rule: what `evaluate.alarmSweep` asks for. */
export interface FoldAlarmSweep {
  method: 'cascade';
  precision: 'float' | 'int8';
  rows: AlarmSweepRow[];
}

/**
 * Counts occurrences, alarms and activity time of one method's decisions under each rule in `rules`, with the
 * refractory time of `base`. The decisions are the same for every rule, so this costs a pass over the test
 * recordings per rule and no retraining: a user chooses the rule the firmware runs (evaluate.postProcessing) from it.
 */
export function sweepAlarmRules(
  set: PredictionSet,
  truth: Uint8Array,
  timelines: readonly RecordingTimeline[],
  events: number,
  rules: readonly { k: number; n: number }[],
  base: PostProcessingRule,
): AlarmSweepRow[] {
  const recordings = timelines.map((timeline) => withDecisions(timeline, truth, set.cls));
  return rules.map(({ k, n }) => ({
    k,
    n,
    counts: recordings
      .map((r) => countRecordingEvents(r, events, { k, n, refractorySeconds: base.refractorySeconds }))
      .reduce(addEventCounts, emptyEventCounts(events)),
  }));
}

/** Each rule's counts added over the folds, and the rates they give. */
export function poolAlarmSweep(
  folds: readonly { alarmSweep?: FoldAlarmSweep | null }[],
  events: number,
): { k: number; n: number; counts: EventCounts; rates: EventRates }[] {
  const sweeps = folds.map((f) => f.alarmSweep).filter((s): s is FoldAlarmSweep => !!s && s.rows.length > 0);
  if (sweeps.length === 0) return [];
  return sweeps[0].rows.map(({ k, n }, i) => {
    const counts = sweeps.map((s) => s.rows[i].counts).reduce(addEventCounts, emptyEventCounts(events));
    return { k, n, counts, rates: eventRates(counts) };
  });
}
