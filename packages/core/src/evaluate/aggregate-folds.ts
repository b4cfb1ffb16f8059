import { classMetrics } from '../train/metrics';
import { poolAlarmSweep } from './alarm-sweep';
import { aggregateTargetDropSweep } from './target-drop-sweep';
import { foldSpread, type FoldSpread } from './aggregate';
import { addEventCounts, emptyEventCounts, eventRates, type EventCounts, type EventRates } from './event-metrics';
import type { FoldResult, MethodKey, Precision } from './fold-evaluation';

/**
 * One method (at one precision) over the folds. Figures a user compares subjects by are spread over held-out
 * subjects (under leave-one-subject-out one per fold; MIT-BIH's single DS2 fold spreads over its records); the
 * rest over folds. Pooled figures add the counts (confusion matrices, occurrences, alarms, hours) of every fold.
 */
export interface MethodAggregate {
  method: MethodKey;
  precision: Precision;
  perSubject: {
    windowEventF1: FoldSpread;
    sensitivity: FoldSpread;
    alarmPrecision: FoldSpread;
    eventF1: FoldSpread;
    /** Higher is worse: `worst` is the highest. */
    falseAlarmsPerHour: FoldSpread;
    activityRecordingsWithAlarm: FoldSpread;
  };
  perFold: { windowEventF1: FoldSpread; accuracy: FoldSpread; brier: FoldSpread; nll: FoldSpread; ece: FoldSpread; expectedMacs: FoldSpread };
  pooled: {
    window: { eventF1: number; accuracy: number; events: { event: string; precision: number; recall: number; f1: number }[] };
    event: { counts: EventCounts; rates: EventRates };
  };
}

export interface Aggregate {
  folds: string[];
  methods: MethodAggregate[];
  /** The deployed cascade under each rule of evaluate.alarmSweep, counts pooled over the folds (absent in older files). */
  alarmSweep?: ReturnType<typeof poolAlarmSweep>;
  /** The float cascade under each evaluate.targetDropSweep value, spread over the folds (absent in older files). */
  targetDropSweep?: ReturnType<typeof aggregateTargetDropSweep>;
}

/** Aggregates every method present in the folds (in the order the first fold lists them). */
export function aggregateFolds(folds: readonly FoldResult[], eventNames: readonly string[]): Aggregate {
  const keys = folds[0]?.results.map((r) => ({ method: r.method, precision: r.precision })) ?? [];
  return {
    folds: folds.map((f) => f.fold),
    methods: keys.map(({ method, precision }) => aggregateMethod(folds, method, precision, eventNames)),
    alarmSweep: poolAlarmSweep(folds, eventNames.length),
    targetDropSweep: aggregateTargetDropSweep(folds),
  };
}

function aggregateMethod(folds: readonly FoldResult[], method: MethodKey, precision: Precision, eventNames: readonly string[]): MethodAggregate {
  const runs = folds.flatMap((f) => f.results.filter((r) => r.method === method && r.precision === precision).map((r) => ({ fold: f.fold, scores: r.scores })));
  const subjects = runs.flatMap((r) => r.scores.perSubject);
  const overSubjects = (value: (s: (typeof subjects)[number]) => number | null, higherIsBetter = true) =>
    foldSpread(
      subjects.map((s) => ({ fold: s.subject, value: value(s) })),
      higherIsBetter,
    );
  const overFolds = (value: (r: (typeof runs)[number]) => number | null, higherIsBetter = true) =>
    foldSpread(
      runs.map((r) => ({ fold: r.fold, value: value(r) })),
      higherIsBetter,
    );
  const E = eventNames.length;
  const confusion = Array.from({ length: E + 1 }, () => new Array<number>(E + 1).fill(0));
  for (const r of runs) r.scores.window.confusion.forEach((row, t) => row.forEach((n, p) => (confusion[t][p] += n)));
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((sum, row, c) => sum + row[c], 0);
  const events = eventNames.map((event, j) => ({ event, ...classMetrics(confusion, j + 1) }));
  const counts = runs.map((r) => r.scores.event.counts).reduce(addEventCounts, emptyEventCounts(E));
  return {
    method,
    precision,
    perSubject: {
      windowEventF1: overSubjects((s) => s.windowEventF1),
      sensitivity: overSubjects((s) => s.rates.sensitivity),
      alarmPrecision: overSubjects((s) => s.rates.alarmPrecision),
      eventF1: overSubjects((s) => s.rates.eventF1),
      falseAlarmsPerHour: overSubjects((s) => s.rates.falseAlarmsPerHour, false),
      activityRecordingsWithAlarm: overSubjects((s) => s.rates.activityRecordingsWithAlarm, false),
    },
    perFold: {
      // A fold without event windows (a subject without falls) has no window-level F1, not an F1 of 0.
      windowEventF1: overFolds((r) => (hasEvents(r.scores) ? r.scores.window.eventF1 : null)),
      accuracy: overFolds((r) => r.scores.window.accuracy),
      brier: overFolds((r) => r.scores.window.brier, false),
      nll: overFolds((r) => r.scores.window.nll, false),
      ece: overFolds((r) => r.scores.window.ece, false),
      expectedMacs: overFolds((r) => r.scores.window.exits?.expectedMacs ?? null, false),
    },
    pooled: {
      window: {
        eventF1: events.reduce((sum, e) => sum + e.f1, 0) / Math.max(1, E),
        accuracy: total > 0 ? correct / total : 0,
        events: events.map(({ event, precision: p, recall, f1 }) => ({ event, precision: p, recall, f1 })),
      },
      event: { counts, rates: eventRates(counts) },
    },
  };
}

function hasEvents(scores: { window: { events: { support: number }[] } }): boolean {
  return scores.window.events.some((e) => e.support > 0);
}
