import * as path from 'node:path';
import { UserError } from '../common/errors';
import type { NormalizedWindow } from '../spec/types';
import { classWeights, imbalanceRatio, stratifiedGroups, type FoldSplit } from './folds';
import type { Recording } from './recording';
import { decimate } from './resample';
import { RR_INTERVALS, rrChannels, rrIntervalsAt, rrPhysical } from './rr-features';
import { emptyMoments, mergeMoments, momentsOf, standardDeviation, type ChannelMoments } from './running-stats';
import type { WindowFold, WindowManifest } from './window-manifest';
import { labelPolicy, planWindows, recordingLabelOf, resampleLabels } from './window-plan';
import { PAYLOAD_FILE, PayloadWriter, type WindowSections } from './window-store';
import { slidingGeometry, type LabelPolicy } from './windowing';

export interface WindowStoreSettings {
  spec: NormalizedWindow;
  /** The dataset adapter's id, for errors. */
  dataset: string;
  /** The store's classes, in index order. */
  classes: readonly string[];
  /** The label a window without an event gets (the adapter's first). */
  negativeLabel: string;
  /** Native rate ÷ window rate (an integer ≥ 1). */
  factor: number;
}

/** What the store holds once every recording is in: the manifest without its dataset and experiment fields. */
export type WindowStoreContents = Pick<WindowManifest, 'classes' | 'counts' | 'subjects' | 'recordings' | 'folds'> & {
  length: number;
  stride: number | null;
  channels: readonly string[];
  /** Channels computed per window and appended after the signal channels (beat mode's RR features), with their count. */
  derivedChannels: { name: string; unit: string; perCount: number }[];
  payload: { bytes: number; sha256: string; sections: WindowSections };
};

interface SubjectAccumulator {
  recordings: number;
  windows: number;
  perClass: number[];
  moments: ChannelMoments;
  /** Over the subject's windows, of the derived channels. */
  derivedMoments: ChannelMoments;
}

/**
 * Builds a window store one recording at a time: each recording is resampled, cut into labelled windows and
 * appended to the payload file, while only the windows' (start, label, subject, recording) and per-subject counts
 * and channel moments are kept in memory; `finish` appends the window sections and derives the folds.
 */
export class WindowStoreBuilder {
  private readonly payload: PayloadWriter;
  private readonly classIndex: Map<string, number>;
  private readonly policy: LabelPolicy;
  private readonly groupOf: ((label: string) => string) | null;
  private readonly stride: number | null;
  private length: number;
  private samples = 0;
  private channels: readonly string[] = [];
  private readonly starts: number[] = [];
  private readonly labels: number[] = [];
  private readonly subjectOfWindow: string[] = [];
  private readonly recordingOfWindow: number[] = [];
  /** RR features on: each window's RR intervals (rr-features.ts), RR_INTERVALS a window. */
  private readonly rrIntervals: number[] = [];
  private readonly derivedChannels: { name: string; unit: string; perCount: number }[];
  private readonly recordings: WindowManifest['recordings'] = [];
  private readonly subjects = new Map<string, SubjectAccumulator>();

  constructor(
    dir: string,
    private readonly settings: WindowStoreSettings,
  ) {
    const { spec } = settings;
    this.payload = new PayloadWriter(path.join(dir, PAYLOAD_FILE));
    this.classIndex = new Map(settings.classes.map((c, i) => [c, i]));
    this.policy = labelPolicy(spec);
    this.groupOf = spec.folds.k === null ? null : stratifiedGroups(spec.folds.k);
    this.length = spec.mode === 'recording' ? -1 : Math.round((spec.lengthSeconds ?? 0) * spec.sampleRateHz);
    this.stride = spec.mode === 'sliding' ? slidingGeometry(spec.lengthSeconds ?? 0, spec.overlap, spec.sampleRateHz).stride : null;
    this.derivedChannels = spec.mode === 'beat' && spec.rrFeatures ? rrChannels(spec.sampleRateHz) : [];
  }

  get windowCount(): number {
    return this.starts.length;
  }

  get recordingCount(): number {
    return this.recordings.length;
  }

  /** Resamples, windows and appends one recording. */
  add(recording: Recording): void {
    const { spec, classes, factor } = this.settings;
    this.channels = recording.channels;
    const data = decimate(recording.data, recording.channels.length, factor);
    const resampled = resampleLabels(recording, factor, data.length / recording.channels.length);
    if (spec.mode === 'recording') {
      if (this.length === -1) this.length = resampled.length;
      if (resampled.length !== this.length) {
        throw new UserError(`${this.settings.dataset} ${recording.name}: recording mode needs equal-length recordings (${resampled.length} ≠ ${this.length})`);
      }
    }
    const planned = planWindows(spec, resampled, this.length, this.stride, this.policy, this.settings.negativeLabel);
    // Under stratified folds a recording's group stands in for its subject from here on.
    const subject = this.groupOf ? this.groupOf(recordingLabelOf(recording, this.settings.dataset)) : recording.subject;
    const accumulator = this.subjects.get(subject) ?? {
      recordings: 0,
      windows: 0,
      perClass: new Array<number>(classes.length).fill(0),
      moments: emptyMoments(recording.channels.length),
      derivedMoments: emptyMoments(this.derivedChannels.length),
    };
    this.subjects.set(subject, accumulator);
    const recordingIndex = this.recordings.length;
    let kept = 0;
    // Every beat (of any class) is an R peak the RR intervals count; a beat without both neighbours gets no window.
    const peaks = this.derivedChannels.length > 0 ? (resampled.events ?? []).map((e) => e.at) : null;
    const derived: number[] = [];
    for (const window of planned) {
      const label = spec.labels.map[window.label] ?? window.label;
      const index = this.classIndex.get(label);
      if (index === undefined) continue;
      if (peaks) {
        const intervals = rrIntervalsAt(peaks, window.event!);
        if (intervals === null) continue;
        this.rrIntervals.push(...intervals);
        derived.push(...rrPhysical(intervals, spec.sampleRateHz));
      }
      this.starts.push(this.samples + window.start);
      this.labels.push(index);
      this.subjectOfWindow.push(subject);
      this.recordingOfWindow.push(recordingIndex);
      accumulator.perClass[index]++;
      kept++;
    }
    accumulator.recordings++;
    accumulator.windows += kept;
    accumulator.moments = mergeMoments(accumulator.moments, momentsOf(data, recording.channels.length));
    if (peaks) accumulator.derivedMoments = mergeMoments(accumulator.derivedMoments, momentsOf(Float32Array.from(derived), this.derivedChannels.length));
    this.recordings.push({ name: recording.name, subject, offset: this.samples, length: resampled.length, windows: kept });
    this.payload.write(data);
    this.samples += resampled.length;
  }

  /**
   * Appends the window sections, closes the payload and derives the folds (`splitFolds` gets the subjects with
   * windows, sorted) with each fold's normalisation statistics, class counts and weights.
   */
  finish(splitFolds: (subjects: string[]) => FoldSplit[]): WindowStoreContents {
    const { classes } = this.settings;
    if (this.recordings.length === 0) throw new UserError(`window: ${this.settings.dataset} yielded no recordings for the chosen subjects`);
    if (this.starts.length === 0) {
      throw new UserError(`window: no window fits the recordings (window ${this.length} samples); shorten window.lengthSeconds`);
    }
    const subjectIds = [...this.subjects.keys()].filter((s) => this.subjects.get(s)!.windows > 0).sort();
    const subjectIndex = new Map(subjectIds.map((s, i) => [s, i]));
    const payload = this.payload;
    const sections: WindowSections = {
      signals: { dtype: 'float32', offset: 0, shape: [this.samples, this.channels.length] },
      windowStart: payload.section('uint32', Uint32Array.from(this.starts), [this.starts.length]),
      windowLabel: payload.section('uint8', Uint8Array.from(this.labels), [this.labels.length]),
      windowSubject: payload.section(
        'uint16',
        Uint16Array.from(this.subjectOfWindow, (s) => subjectIndex.get(s)!),
        [this.starts.length],
      ),
      windowRecording: payload.section('uint32', Uint32Array.from(this.recordingOfWindow), [this.starts.length]),
      ...(this.derivedChannels.length > 0
        ? { windowRr: payload.section('uint16', Uint16Array.from(this.rrIntervals), [this.starts.length, RR_INTERVALS]) }
        : {}),
    };
    const { bytes, sha256 } = payload.close();
    const counts = (subjects: readonly string[]) =>
      sumCounts(
        subjects.map((s) => this.subjects.get(s)!.perClass),
        classes.length,
      );
    const perClass = counts(subjectIds);
    const folds = splitFolds(subjectIds).map((fold): WindowFold => {
      const trainCounts = counts(fold.train);
      const train = fold.train.map((s) => this.subjects.get(s)!);
      const moments = train.map((s) => s.moments).reduce(mergeMoments, emptyMoments(this.channels.length));
      const derived = train.map((s) => s.derivedMoments).reduce(mergeMoments, emptyMoments(this.derivedChannels.length));
      return {
        ...fold,
        // Signal channels over every sample of the training recordings; derived channels over their windows.
        normalization: { mean: [...moments.mean, ...derived.mean], std: [...standardDeviation(moments), ...standardDeviation(derived)] },
        trainCounts,
        testCounts: counts(fold.test),
        classWeights: classWeights(trainCounts),
        imbalanceRatio: imbalanceRatio(trainCounts),
      };
    });
    return {
      classes: [...classes],
      counts: { windows: this.starts.length, perClass, imbalanceRatio: imbalanceRatio(perClass) },
      subjects: subjectIds.map((id) => {
        const s = this.subjects.get(id)!;
        return { id, recordings: s.recordings, windows: s.windows, perClass: s.perClass };
      }),
      recordings: this.recordings,
      folds,
      length: this.length,
      stride: this.stride,
      channels: this.channels,
      derivedChannels: this.derivedChannels,
      payload: { bytes, sha256, sections },
    };
  }

  /** Closes the payload file after a failure (it may already be closed). */
  abort(): void {
    try {
      this.payload.close();
    } catch {
      // already closed
    }
  }
}

function sumCounts(rows: number[][], classes: number): number[] {
  const total = new Array<number>(classes).fill(0);
  for (const row of rows) row.forEach((n, i) => (total[i] += n));
  return total;
}
