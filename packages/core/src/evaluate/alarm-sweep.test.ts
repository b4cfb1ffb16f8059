import { describe, expect, it } from 'vitest';
import { PredictionSet } from '../train/cascade/predictions';
import { poolAlarmSweep, sweepAlarmRules } from './alarm-sweep';
import type { RecordingTimeline } from './recordings';

/** One recording of `decisions.length` windows, one every 0.1 s at 100 Hz, windows 1 s long. */
function timeline(recording: string, from: number, count: number): RecordingTimeline {
  const positions = Array.from({ length: count }, (_, i) => from + i);
  return {
    recording,
    subject: 'S1',
    durationSeconds: 0.1 * count + 1,
    positions,
    startSeconds: positions.map((_, i) => 0.1 * i),
    endSeconds: positions.map((_, i) => 0.1 * i + 1),
    sampleRateHz: 100,
  };
}

describe('the alarm-rule sweep', () => {
  // A fall recording whose 6 event windows are all decided as the event, and an activity recording with a burst of
  // 3 wrong event decisions: 1 of 1 and 3 of 3 alarm on both; 4 of 5 only on the fall.
  const truth = Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const decisions = [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0];
  const set = new PredictionSet(20, 1);
  set.cls.set(decisions);
  const timelines = [timeline('fall', 0, 10), timeline('activity', 10, 10)];
  const rows = sweepAlarmRules(
    set,
    truth,
    timelines,
    1,
    [
      { k: 1, n: 1 },
      { k: 3, n: 3 },
      { k: 4, n: 5 },
    ],
    { k: 2, n: 3, refractorySeconds: 5 },
  );

  it('counts the same decisions under each k-of-n rule', () => {
    expect(rows.map((r) => [r.k, r.n, r.counts.detected[0], r.counts.occurrences[0], r.counts.activityRecordingsWithAlarm])).toEqual([
      [1, 1, 1, 1, 1],
      [3, 3, 1, 1, 1],
      [4, 5, 1, 1, 0],
    ]);
  });

  it('pools each rule over the folds and gives its rates', () => {
    const pooled = poolAlarmSweep(
      [{ alarmSweep: { method: 'cascade', precision: 'int8', rows } }, { alarmSweep: { method: 'cascade', precision: 'int8', rows } }, {}],
      1,
    );
    expect(pooled.map((r) => [r.k, r.n, r.counts.activityRecordings, r.rates.sensitivity, r.rates.activityRecordingsWithAlarm])).toEqual([
      [1, 1, 2, 1, 1],
      [3, 3, 2, 1, 1],
      [4, 5, 2, 1, 0],
    ]);
    expect(poolAlarmSweep([{ alarmSweep: null }], 1)).toEqual([]);
  });
});
