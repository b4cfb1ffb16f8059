import type { PredictionSet } from '../train/cascade/predictions';
import { scorePredictions, type EventScore } from '../train/cascade/scoring';
import type { PostProcessingRule } from './alarms';
import { addEventCounts, countRecordingEvents, emptyEventCounts, eventRates, type EventCounts, type EventRates } from './event-metrics';
import { withDecisions, type RecordingTimeline } from './recordings';

/** Window-level figures of one method on one fold (what train-cascade reports, without plots' bins). */
export interface WindowScores {
  windows: number;
  eventF1: number;
  accuracy: number;
  brier: number;
  nll: number;
  ece: number;
  events: Omit<EventScore, 'reliability'>[];
  /** (E + 1)-class confusion matrix, rows truth: pools over folds by adding. */
  confusion: number[][];
  /** Cascades: the share of windows each exit decided and the mean MACs per window. */
  exits: { rates: number[]; expectedMacs: number } | null;
}

export interface EventScores {
  counts: EventCounts;
  rates: EventRates;
}

export interface MethodScores {
  window: WindowScores;
  event: EventScores;
  /** Event-level figures of each test subject (one under leave-one-subject-out; every record of MIT-BIH's DS2). */
  perSubject: ({ subject: string; windowEventF1: number | null } & EventScores)[];
}

/** Everything one method's predictions of a fold's test windows give, window-level and event-level. */
export function scoreMethod(
  set: PredictionSet,
  truth: Uint8Array,
  subjects: Uint16Array,
  subjectNames: readonly string[],
  eventNames: readonly string[],
  timelines: readonly RecordingTimeline[],
  rule: PostProcessingRule,
  exitMacs?: readonly number[],
): MethodScores {
  const scores = scorePredictions(set, truth, subjects, subjectNames, eventNames, exitMacs);
  const bySubject = new Map<string, EventCounts>();
  for (const timeline of timelines) {
    const counts = countRecordingEvents(withDecisions(timeline, truth, set.cls), eventNames.length, rule);
    bySubject.set(timeline.subject, addEventCounts(bySubject.get(timeline.subject) ?? emptyEventCounts(eventNames.length), counts));
  }
  const total = [...bySubject.values()].reduce(addEventCounts, emptyEventCounts(eventNames.length));
  return {
    window: {
      windows: scores.windows,
      eventF1: scores.eventF1,
      accuracy: scores.accuracy,
      brier: scores.brier,
      nll: scores.nll,
      ece: scores.ece,
      events: scores.events.map(({ reliability, ...rest }) => rest),
      confusion: scores.confusion,
      exits: scores.exits ? { rates: scores.exits.rates, expectedMacs: scores.exits.expectedMacs } : null,
    },
    event: { counts: total, rates: eventRates(total) },
    perSubject: [...bySubject.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([subject, counts]) => ({
        subject,
        windowEventF1: scores.perSubject.find((s) => s.subject === subject)?.eventF1 ?? null,
        counts,
        rates: eventRates(counts),
      })),
  };
}
