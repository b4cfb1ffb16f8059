import { describe, expect, it } from 'vitest';
import { aggregateFolds } from './aggregate-folds';
import { eventRates, type EventCounts } from './event-metrics';
import type { FoldResult } from './fold-evaluation';
import type { MethodScores } from './method-scores';

/** A fold of one subject with a given (2-class) confusion matrix and event counts. */
function fold(name: string, confusion: number[][], counts: Partial<EventCounts>, excluded = false): FoldResult {
  const full: EventCounts = {
    occurrences: [0],
    detected: [0],
    alarms: 0,
    falseAlarms: 0,
    activitySeconds: 0,
    activityRecordings: 0,
    activityRecordingsWithAlarm: 0,
    ...counts,
  };
  const tp = confusion[1][1];
  const support = confusion[1][0] + tp;
  const predicted = confusion[0][1] + tp;
  const f1 = tp > 0 ? (2 * tp) / (support + predicted) : 0;
  const scores: MethodScores = {
    window: {
      windows: confusion.flat().reduce((a, b) => a + b, 0),
      eventF1: f1,
      accuracy: (confusion[0][0] + tp) / confusion.flat().reduce((a, b) => a + b, 0),
      brier: 0.1,
      nll: 0.3,
      ece: 0.05,
      events: [{ event: 'fall', precision: 0, recall: 0, f1, support, brier: 0.1, nll: 0.3, ece: 0.05 }],
      confusion,
      exits: null,
    },
    event: { counts: full, rates: eventRates(full) },
    perSubject: [{ subject: name, windowEventF1: support > 0 ? f1 : null, counts: full, rates: eventRates(full) }],
  };
  return {
    fold: name,
    subjects: { train: [], validation: [], test: [name] },
    selection: { rankedArchitectures: excluded, trainedSearchCandidates: excluded, calibratedDeployedThresholds: false, excluded },
    windows: { train: 0, validation: 0, test: scores.window.windows },
    training: [],
    thresholds: [],
    results: [{ method: 'cascade', precision: 'float', scores }],
  };
}

describe('aggregateFolds', () => {
  // A: 8 TN, 2 FP, 2 FN, 8 TP → F1 0.8; 10 falls, 9 detected, 1 h of activity, 4 false alarms, 10 ADL recordings, 3 alarmed.
  const a = fold(
    'A',
    [
      [8, 2],
      [2, 8],
    ],
    { occurrences: [10], detected: [9], alarms: 13, falseAlarms: 4, activitySeconds: 3600, activityRecordings: 10, activityRecordingsWithAlarm: 3 },
  );
  // B: 16 TN, 0 FP, 4 FN, 0 TP → F1 0; 10 falls, 5 detected, 2 h, 2 false alarms, 10 ADL recordings, 1 alarmed.
  const b = fold(
    'B',
    [
      [16, 0],
      [4, 0],
    ],
    { occurrences: [10], detected: [5], alarms: 7, falseAlarms: 2, activitySeconds: 7200, activityRecordings: 10, activityRecordingsWithAlarm: 1 },
  );
  // C: no falls: 18 TN, 2 FP; 3 h, 9 false alarms, 10 ADL recordings, 6 alarmed.
  const c = fold(
    'C',
    [
      [18, 2],
      [0, 0],
    ],
    { alarms: 9, falseAlarms: 9, activitySeconds: 10800, activityRecordings: 10, activityRecordingsWithAlarm: 6 },
    true,
  );

  it('spreads over subjects, leaves a subject without events out of F1 and sensitivity, and pools by adding counts', () => {
    const [cascade] = aggregateFolds([a, b, c], ['fall']).methods;
    expect(cascade.perSubject.windowEventF1).toMatchObject({ folds: 2, mean: 0.4, median: 0.4, worst: { fold: 'B', value: 0 } });
    expect(cascade.perSubject.windowEventF1.sd).toBeCloseTo(Math.sqrt(0.32), 12);
    expect(cascade.perSubject.sensitivity).toMatchObject({ folds: 2, mean: 0.7, worst: { fold: 'B', value: 0.5 } });
    // False alarms per hour: 4, 1, 3 → mean 8/3, worst A.
    expect(cascade.perSubject.falseAlarmsPerHour.mean).toBeCloseTo(8 / 3, 12);
    expect(cascade.perSubject.falseAlarmsPerHour.worst).toEqual({ fold: 'A', value: 4 });
    expect(cascade.perFold.windowEventF1.folds).toBe(2);
    // Pooled: confusion [[42, 4], [6, 8]] → precision 8/12, recall 8/14, F1 16/26.
    expect(cascade.pooled.window.eventF1).toBeCloseTo(16 / 26, 12);
    expect(cascade.pooled.window.accuracy).toBeCloseTo(50 / 60, 12);
    expect(cascade.pooled.event.rates.sensitivity).toBe(14 / 20);
    expect(cascade.pooled.event.rates.falseAlarmsPerHour).toBeCloseTo(15 / 6, 12);
    expect(cascade.pooled.event.rates.activityRecordingsWithAlarm).toBeCloseTo(10 / 30, 12);
    expect(cascade.pooled.event.rates.alarmPrecision).toBeCloseTo(14 / 29, 12);
  });

  it('without the selection folds, aggregates the rest only', () => {
    const [cascade] = aggregateFolds([a, b], ['fall']).methods;
    expect(aggregateFolds([a, b], ['fall']).folds).toEqual(['A', 'B']);
    expect(cascade.pooled.event.rates.falseAlarmsPerHour).toBeCloseTo(6 / 3, 12);
  });
});
