import { describe, expect, it } from 'vitest';
import { addEventCounts, countRecordingEvents, emptyEventCounts, eventRates, type RecordingDecisions } from './event-metrics';

const EVERY_WINDOW = { k: 1, n: 1, refractorySeconds: 0 };

/** Windows of 2 s starting every second; `truth` and `decision` as digit strings (0 = no event, 1 + j = event j). */
function recording(truth: string, decision: string, durationSeconds = truth.length + 1, subject = 'S1'): RecordingDecisions {
  const n = truth.length;
  return {
    recording: 'r',
    subject,
    durationSeconds,
    startSeconds: Array.from({ length: n }, (_, i) => i),
    endSeconds: Array.from({ length: n }, (_, i) => i + 2),
    sampleRateHz: 1,
    truth: Array.from(truth, Number),
    decision: Array.from(decision, Number),
  };
}

describe('countRecordingEvents', () => {
  it('detects an occurrence when an alarm falls inside its labelled interval', () => {
    // Event windows 3..5 → interval [3, 7]; the alarm at window 4 ends at 6.
    const counts = countRecordingEvents(recording('00011100', '00001000'), 1, EVERY_WINDOW);
    expect(counts.occurrences).toEqual([1]);
    expect(counts.detected).toEqual([1]);
    expect(counts.alarms).toBe(1);
    expect(counts.falseAlarms).toBe(0);
  });

  it('counts an alarm just outside the interval as a miss and a false alarm', () => {
    // Interval [3, 7]; window 6 ends at 8.
    const counts = countRecordingEvents(recording('00011100', '00000010'), 1, EVERY_WINDOW);
    expect(counts.detected).toEqual([0]);
    expect(counts.falseAlarms).toBe(1);
  });

  it('counts an alarm on the interval boundary as inside', () => {
    // Window 1 ends at 3 = the interval's start; window 5 ends at 7 = its end.
    expect(countRecordingEvents(recording('00011100', '01000000'), 1, EVERY_WINDOW).detected).toEqual([1]);
    expect(countRecordingEvents(recording('00011100', '00000100'), 1, EVERY_WINDOW).detected).toEqual([1]);
  });

  it('measures activity time as the recording minus the labelled intervals', () => {
    // Duration 9 s, interval [3, 7] → 5 s of activity; not an activity recording.
    const counts = countRecordingEvents(recording('00011100', '00000000'), 1, EVERY_WINDOW);
    expect(counts.activitySeconds).toBe(5);
    expect(counts.activityRecordings).toBe(0);
  });

  it('makes a recording without events an activity recording, with or without an alarm', () => {
    const quiet = countRecordingEvents(recording('0000', '0000', 3600), 1, EVERY_WINDOW);
    expect(quiet).toMatchObject({ activitySeconds: 3600, activityRecordings: 1, activityRecordingsWithAlarm: 0, alarms: 0 });
    const noisy = countRecordingEvents(recording('0000', '0110', 3600), 1, EVERY_WINDOW);
    expect(noisy).toMatchObject({ activityRecordings: 1, activityRecordingsWithAlarm: 1, alarms: 2, falseAlarms: 2 });
  });

  it('applies the post-processing rule before counting (2 of 3 merges a burst into one alarm)', () => {
    const rule = { k: 2, n: 3, refractorySeconds: 10 };
    const counts = countRecordingEvents(recording('0000000', '0111000', 3600), 1, rule);
    expect(counts.alarms).toBe(1);
    // One positive window alone never alarms under 2 of 3.
    expect(countRecordingEvents(recording('0000000', '0100000', 3600), 1, rule).alarms).toBe(0);
  });

  it('keeps events apart: an alarm of the wrong event is false and detects nothing', () => {
    const counts = countRecordingEvents(recording('0110022000', '0220000000'), 2, EVERY_WINDOW);
    expect(counts.occurrences).toEqual([1, 1]);
    expect(counts.detected).toEqual([0, 0]);
    expect(counts.falseAlarms).toBe(2);
  });

  it('treats two runs of one event as two occurrences', () => {
    const counts = countRecordingEvents(recording('0110000110', '0100000000', 20), 1, EVERY_WINDOW);
    expect(counts.occurrences).toEqual([2]);
    expect(counts.detected).toEqual([1]);
  });
});

describe('eventRates', () => {
  it('turns pooled counts into sensitivity, alarm precision, event F1, false alarms per hour and alarmed activity recordings', () => {
    // Subject with one fall trial (detected) and one ADL hour with 2 false alarms; subject with a missed fall.
    const a = addEventCounts(
      countRecordingEvents(recording('00011100', '00001000', 9), 1, EVERY_WINDOW),
      countRecordingEvents(recording('000000', '010100', 3600 - 5), 1, EVERY_WINDOW),
    );
    const b = countRecordingEvents(recording('0110', '0000', 3), 1, EVERY_WINDOW);
    const rates = eventRates(addEventCounts(a, b));
    // Occurrences 2, detected 1; alarms 3, 2 false; activity 5 + 3595 + 0 s... b: [1, 4] of 3 s → 0.
    expect(rates.sensitivity).toBe(0.5);
    expect(rates.alarmPrecision).toBeCloseTo(1 / 3, 12);
    expect(rates.eventF1).toBeCloseTo((2 * 0.5 * (1 / 3)) / (0.5 + 1 / 3), 12);
    expect(rates.falseAlarmsPerHour).toBeCloseTo(2, 12);
    expect(rates.activityRecordingsWithAlarm).toBe(1);
  });

  it('gives a subject without events false-alarm figures only', () => {
    const rates = eventRates(countRecordingEvents(recording('0000', '0000', 1800), 1, EVERY_WINDOW));
    expect(rates.sensitivity).toBeNull();
    expect(rates.eventF1).toBeNull();
    expect(rates.alarmPrecision).toBeNull();
    expect(rates.falseAlarmsPerHour).toBe(0);
    expect(rates.activityRecordingsWithAlarm).toBe(0);
  });

  it('has no rates for no data', () => {
    expect(eventRates(emptyEventCounts(1))).toEqual({
      sensitivity: null,
      perEventSensitivity: [null],
      alarmPrecision: null,
      eventF1: null,
      falseAlarmsPerHour: null,
      activityRecordingsWithAlarm: null,
    });
  });
});
