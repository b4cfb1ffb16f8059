import type { LoadedWindowStore } from '../data/window-store';
import type { WindowManifest } from '../data/window-manifest';
import type { RecordingDecisions } from './event-metrics';

/** Where each of a list of windows sits in time: grouped by recording, in time order (what the alarm rule runs on). */
export interface RecordingTimeline {
  recording: string;
  subject: string;
  durationSeconds: number;
  /** Positions into the window list the timeline was built from, in time order. */
  positions: number[];
  startSeconds: number[];
  endSeconds: number[];
  /** The rate the window positions are counted at (times are sample / rate). */
  sampleRateHz: number;
}

/** Groups `windows` (store indices) by recording, each in time order, with start/end times from the recording's start. */
export function recordingTimelines(store: LoadedWindowStore<WindowManifest>, windows: ArrayLike<number>): RecordingTimeline[] {
  const { manifest } = store;
  const rate = manifest.window.sampleRateHz;
  const lengthSeconds = manifest.window.length / rate;
  const byRecording = new Map<number, number[]>();
  for (let i = 0; i < windows.length; i++) {
    const r = store.windowRecording[windows[i]];
    const list = byRecording.get(r);
    if (list) list.push(i);
    else byRecording.set(r, [i]);
  }
  return [...byRecording.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([r, positions]) => {
      const info = manifest.recordings[r];
      const start = (i: number) => (store.windowStart[windows[i]] - info.offset) / rate;
      const ordered = [...positions].sort((a, b) => start(a) - start(b) || a - b);
      return {
        recording: info.name,
        subject: info.subject,
        durationSeconds: info.length / rate,
        positions: ordered,
        startSeconds: ordered.map(start),
        endSeconds: ordered.map((i) => start(i) + lengthSeconds),
        sampleRateHz: rate,
      };
    });
}

/** A timeline with the truth and one method's decisions of its windows ((E + 1)-class, by position). */
export function withDecisions(timeline: RecordingTimeline, truth: ArrayLike<number>, decision: ArrayLike<number>): RecordingDecisions {
  return {
    recording: timeline.recording,
    subject: timeline.subject,
    durationSeconds: timeline.durationSeconds,
    startSeconds: timeline.startSeconds,
    endSeconds: timeline.endSeconds,
    sampleRateHz: timeline.sampleRateHz,
    truth: timeline.positions.map((i) => truth[i]),
    decision: timeline.positions.map((i) => decision[i]),
  };
}
