import { alarmWindows, type PostProcessingRule } from './alarms';

/** One recording's windows in time order, with the truth and a method's decision (0 = no event, 1 + j = event j). */
export interface RecordingDecisions {
  recording: string;
  subject: string;
  /** The whole recording's length, windowed or not. */
  durationSeconds: number;
  startSeconds: ArrayLike<number>;
  endSeconds: ArrayLike<number>;
  /** The sample grid the window times lie on (the alarm rule counts time in samples). */
  sampleRateHz: number;
  truth: ArrayLike<number>;
  decision: ArrayLike<number>;
}

/**
 * What a detector's user lives with, counted (so folds and subjects pool by adding). An *occurrence* of event j is
 * a maximal run of consecutive windows labelled j in one recording; its labelled interval runs from the start of
 * its first window to the end of its last. An occurrence is detected when an alarm of event j falls inside that
 * interval. Every other alarm is false. *Activity* is what no labelled interval covers; an *activity recording* has
 * no window of any event (a SisFall ADL trial).
 */
export interface EventCounts {
  /** Per event. */
  occurrences: number[];
  detected: number[];
  alarms: number;
  falseAlarms: number;
  activitySeconds: number;
  activityRecordings: number;
  activityRecordingsWithAlarm: number;
}

export interface EventRates {
  /** Detected occurrences over occurrences, all events pooled; null without occurrences (a subject without falls). */
  sensitivity: number | null;
  perEventSensitivity: (number | null)[];
  /** Alarms inside a labelled interval of their event over all alarms; null without alarms. */
  alarmPrecision: number | null;
  /** Harmonic mean of sensitivity and alarm precision; null when either is. */
  eventF1: number | null;
  /** False alarms per hour of activity; null without activity time. */
  falseAlarmsPerHour: number | null;
  /** Share of activity recordings with at least one alarm; null without activity recordings. */
  activityRecordingsWithAlarm: number | null;
}

export function emptyEventCounts(events: number): EventCounts {
  return {
    occurrences: new Array<number>(events).fill(0),
    detected: new Array<number>(events).fill(0),
    alarms: 0,
    falseAlarms: 0,
    activitySeconds: 0,
    activityRecordings: 0,
    activityRecordingsWithAlarm: 0,
  };
}

export function addEventCounts(a: EventCounts, b: EventCounts): EventCounts {
  return {
    occurrences: a.occurrences.map((n, j) => n + b.occurrences[j]),
    detected: a.detected.map((n, j) => n + b.detected[j]),
    alarms: a.alarms + b.alarms,
    falseAlarms: a.falseAlarms + b.falseAlarms,
    activitySeconds: a.activitySeconds + b.activitySeconds,
    activityRecordings: a.activityRecordings + b.activityRecordings,
    activityRecordingsWithAlarm: a.activityRecordingsWithAlarm + b.activityRecordingsWithAlarm,
  };
}

/** Counts one recording's occurrences, alarms (under `rule`) and activity time for `events` events. */
export function countRecordingEvents(recording: RecordingDecisions, events: number, rule: PostProcessingRule): EventCounts {
  const counts = emptyEventCounts(events);
  const n = recording.truth.length;
  const intervals: { event: number; from: number; to: number; detected: boolean }[] = [];
  for (let i = 0; i < n;) {
    const t = recording.truth[i];
    let last = i;
    while (last + 1 < n && recording.truth[last + 1] === t) last++;
    if (t > 0) intervals.push({ event: t - 1, from: recording.startSeconds[i], to: recording.endSeconds[last], detected: false });
    i = last + 1;
  }
  let alarmed = false;
  for (let j = 0; j < events; j++) {
    const positive = Array.from({ length: n }, (_, i) => recording.decision[i] === j + 1);
    for (const w of alarmWindows(positive, recording.endSeconds, rule, recording.sampleRateHz)) {
      const time = recording.endSeconds[w];
      const hit = intervals.find((v) => v.event === j && v.from <= time && time <= v.to);
      counts.alarms++;
      alarmed = true;
      if (hit) hit.detected = true;
      else counts.falseAlarms++;
    }
  }
  for (const v of intervals) {
    counts.occurrences[v.event]++;
    if (v.detected) counts.detected[v.event]++;
  }
  counts.activitySeconds = Math.max(0, recording.durationSeconds - unionLength(intervals));
  if (intervals.length === 0) {
    counts.activityRecordings = 1;
    counts.activityRecordingsWithAlarm = alarmed ? 1 : 0;
  }
  return counts;
}

export function eventRates(counts: EventCounts): EventRates {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const occurrences = counts.occurrences.reduce((a, b) => a + b, 0);
  const detected = counts.detected.reduce((a, b) => a + b, 0);
  const sensitivity = ratio(detected, occurrences);
  const alarmPrecision = ratio(counts.alarms - counts.falseAlarms, counts.alarms);
  const eventF1 =
    sensitivity === null || alarmPrecision === null
      ? null
      : sensitivity + alarmPrecision > 0
        ? (2 * sensitivity * alarmPrecision) / (sensitivity + alarmPrecision)
        : 0;
  return {
    sensitivity,
    perEventSensitivity: counts.occurrences.map((n, j) => ratio(counts.detected[j], n)),
    alarmPrecision,
    eventF1,
    falseAlarmsPerHour: ratio(counts.falseAlarms, counts.activitySeconds / 3600),
    activityRecordingsWithAlarm: ratio(counts.activityRecordingsWithAlarm, counts.activityRecordings),
  };
}

/** Length of the union of [from, to] intervals. */
function unionLength(intervals: readonly { from: number; to: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  let total = 0;
  let end = -Infinity;
  for (const { from, to } of sorted) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}
