import { UserError } from '../common/errors';
import type { NormalizedWindow } from '../spec/types';
import type { Recording } from './recording';
import { mapIndex } from './resample';
import { beatWindows, labelSlidingWindows, OTHER_LABEL, type LabelPolicy, type PlannedWindow } from './windowing';

/**
 * How the spec's `window:` section turns one recording into labelled windows: the class list, the label policy in
 * samples, the subjects to read, and the windows of a recording resampled to the window rate. The window stage and
 * evaluate's new-data path (recordings outside the store) share these, so both cut windows the same way.
 */

/** The spec's label settings in samples at the window rate. */
export function labelPolicy(spec: NormalizedWindow): LabelPolicy {
  return {
    policy: spec.labels.policy,
    preSamples: Math.round(spec.labels.preSeconds * spec.sampleRateHz),
    postSamples: Math.round(spec.labels.postSeconds * spec.sampleRateHz),
    fallTrialRest: spec.labels.fallTrialRest,
    minPurity: spec.labels.minPurity,
    unlabelled: spec.labels.unlabelled,
  };
}

/** Class order: the spec's `labels.classes` when given, else the adapter's labels after `labels.map`, plus `other`. */
export function classList(adapterLabels: readonly string[], spec: NormalizedWindow): string[] {
  if (spec.labels.classes) return [...spec.labels.classes];
  const mapped = [...new Set(adapterLabels.map((l) => spec.labels.map[l] ?? l))];
  const usesOther = (spec.labels.policy === 'majority' || spec.labels.policy === 'centre') && spec.labels.unlabelled === 'other';
  if (usesOther && !mapped.includes(OTHER_LABEL)) mapped.push(spec.labels.map[OTHER_LABEL] ?? OTHER_LABEL);
  return mapped;
}

/** A recording's label under stratified folds, where it picks the recording's fold group. */
export function recordingLabelOf(recording: Recording, dataset: string): string {
  if (recording.recordingLabel === undefined) {
    throw new UserError(`window.folds.scheme stratified: ${dataset} recording ${recording.name} has no single label to stratify by; use scheme loso`);
  }
  return recording.recordingLabel;
}

/** The subjects the spec's folds need read, or undefined for all. */
export function subjectsToRead(splits: Record<string, { train: readonly string[]; test: readonly string[] }>, spec: NormalizedWindow): string[] | undefined {
  if (spec.folds.subjects) return [...spec.folds.subjects];
  if (spec.folds.scheme === 'split' && spec.folds.split) {
    const split = splits[spec.folds.split];
    if (!split) throw new UserError(`window.folds.split: unknown split "${spec.folds.split}"; known: ${Object.keys(splits).join(', ') || 'none'}`);
    return [...split.train, ...split.test];
  }
  return undefined;
}

/** A recording's labels (segments, events, its own label) moved to the window rate, `factor` times below the native one. */
export function resampleLabels(recording: Recording, factor: number, length: number) {
  const at = (i: number) => Math.min(length, mapIndex(i, factor));
  return {
    length,
    recordingLabel: recording.recordingLabel,
    segments: recording.segments?.map((s) => ({ start: at(s.start), end: at(s.end), label: s.label })),
    events: recording.events?.map((e) => ({ at: Math.min(length - 1, mapIndex(e.at, factor)), label: e.label })),
  };
}

export function planWindows(
  spec: NormalizedWindow,
  recording: ReturnType<typeof resampleLabels>,
  length: number,
  stride: number | null,
  policy: LabelPolicy,
  negativeLabel: string,
): PlannedWindow[] {
  switch (spec.mode) {
    case 'sliding':
      return labelSlidingWindows(recording, length, stride!, policy, negativeLabel);
    case 'beat':
      return beatWindows(recording, length, Math.round(spec.beatOffset * length));
    case 'recording':
      return recording.recordingLabel === undefined ? [] : [{ start: 0, label: recording.recordingLabel }];
  }
}
