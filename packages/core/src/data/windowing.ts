import type { LabelledEvent, LabelledSegment } from './recording';

/** The labelling settings of the spec's `window.labels` that the window maths needs. */
export interface LabelPolicy {
  policy: 'impact' | 'majority' | 'centre' | 'beat' | 'recording';
  /** impact: interval around the event, in samples at the window rate. */
  preSamples: number;
  postSamples: number;
  fallTrialRest: 'negative' | 'exclude';
  minPurity: number;
  unlabelled: 'other' | 'exclude';
}

/** A recording at the window rate: what labelling looks at (the samples themselves are not needed). */
export interface TimedLabels {
  length: number;
  recordingLabel?: string;
  segments?: readonly LabelledSegment[];
  events?: readonly LabelledEvent[];
}

export interface PlannedWindow {
  /** First sample, inside the recording, at the window rate. */
  start: number;
  label: string;
  /** beat windows: the index of their event in the recording's events. */
  event?: number;
}

export const OTHER_LABEL = 'other';

/** Window length and stride in samples: stride = round(length × (1 − overlap)), at least one sample. */
export function slidingGeometry(lengthSeconds: number, overlap: number, rateHz: number): { length: number; stride: number } {
  const length = Math.round(lengthSeconds * rateHz);
  return { length, stride: Math.max(1, Math.round(length * (1 - overlap))) };
}

/** Starts of every full window: 0, stride, 2·stride, … while the window fits. */
export function slidingStarts(recordingLength: number, length: number, stride: number): number[] {
  const starts: number[] = [];
  for (let start = 0; start + length <= recordingLength; start += stride) starts.push(start);
  return starts;
}

/**
 * Labels sliding windows. `negativeLabel` is what windows of an event trial outside the event interval become
 * under `fallTrialRest: negative` (for SisFall: `adl`).
 */
export function labelSlidingWindows(recording: TimedLabels, length: number, stride: number, policy: LabelPolicy, negativeLabel: string): PlannedWindow[] {
  const windows: PlannedWindow[] = [];
  for (const start of slidingStarts(recording.length, length, stride)) {
    const label = labelOne(recording, start, length, policy, negativeLabel);
    if (label !== null) windows.push({ start, label });
  }
  return windows;
}

function labelOne(recording: TimedLabels, start: number, length: number, policy: LabelPolicy, negativeLabel: string): string | null {
  switch (policy.policy) {
    case 'impact':
      return impactLabel(recording, start, length, policy, negativeLabel);
    case 'majority':
      return majorityLabel(recording.segments ?? [], start, length, policy);
    case 'centre':
      return labelAt(recording.segments ?? [], start + Math.floor(length / 2), policy);
    case 'recording':
      return recording.recordingLabel ?? null;
    case 'beat':
      throw new Error('beat labels belong to beat windows, not sliding windows');
  }
}

/**
 * A window covering samples [start, start + length − 1] is an event window when it shares at least one sample with
 * [event − pre, event + post] (both ends inclusive).
 */
export function overlapsEventInterval(start: number, length: number, event: number, preSamples: number, postSamples: number): boolean {
  return start <= event + postSamples && start + length - 1 >= event - preSamples;
}

function impactLabel(recording: TimedLabels, start: number, length: number, policy: LabelPolicy, negativeLabel: string): string | null {
  const events = recording.events ?? [];
  if (events.length === 0) return recording.recordingLabel ?? null;
  for (const event of events) {
    if (overlapsEventInterval(start, length, event.at, policy.preSamples, policy.postSamples)) {
      return recording.recordingLabel ?? event.label;
    }
  }
  return policy.fallTrialRest === 'negative' ? negativeLabel : null;
}

/** The label covering most samples of the window; ties go to the segment first in time, and `other` loses them. */
function majorityLabel(segments: readonly LabelledSegment[], start: number, length: number, policy: LabelPolicy): string | null {
  const end = start + length;
  const cover = new Map<string, number>();
  let labelled = 0;
  for (const segment of segments) {
    const from = Math.max(start, segment.start);
    const to = Math.min(end, segment.end);
    if (to <= from) continue;
    cover.set(segment.label, (cover.get(segment.label) ?? 0) + (to - from));
    labelled += to - from;
  }
  if (policy.unlabelled === 'other' && labelled < length) {
    cover.set(OTHER_LABEL, (cover.get(OTHER_LABEL) ?? 0) + (length - labelled));
  }
  let best: string | null = null;
  let bestCover = 0;
  for (const [label, samples] of cover) {
    if (samples > bestCover) {
      best = label;
      bestCover = samples;
    }
  }
  return best !== null && bestCover >= policy.minPurity * length ? best : null;
}

function labelAt(segments: readonly LabelledSegment[], sample: number, policy: LabelPolicy): string | null {
  for (const segment of segments) {
    if (segment.start <= sample && sample < segment.end) return segment.label;
  }
  return policy.unlabelled === 'other' ? OTHER_LABEL : null;
}

/** One window per event, `before` samples ahead of it; events too close to either end are skipped. */
export function beatWindows(recording: TimedLabels, length: number, before: number): PlannedWindow[] {
  const windows: PlannedWindow[] = [];
  (recording.events ?? []).forEach((event, i) => {
    const start = event.at - before;
    if (start >= 0 && start + length <= recording.length) windows.push({ start, label: event.label, event: i });
  });
  return windows;
}
