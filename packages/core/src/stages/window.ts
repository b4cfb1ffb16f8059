import * as path from 'node:path';
import { UserError } from '../common/errors';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { writeFile } from 'node:fs/promises';
import { getAdapter } from '../data/adapters';
import { ensureDataset, formatBytes, type DatasetSource } from '../data/fetch';
import { buildFolds, classWeights, imbalanceRatio, stratifiedGroups } from '../data/folds';
import { decimate, mapIndex } from '../data/resample';
import { mergeMoments, momentsOf, standardDeviation, emptyMoments, type ChannelMoments } from '../data/running-stats';
import { datasetEntry } from '../data/registry';
import { beatWindows, labelSlidingWindows, OTHER_LABEL, slidingGeometry, type LabelPolicy, type PlannedWindow } from '../data/windowing';
import { MANIFEST_FILE, PAYLOAD_FILE, PayloadWriter, WINDOW_STORE_FORMAT, type WindowSections } from '../data/window-store';
import type { Recording } from '../data/recording';
import type { NormalizedWindow } from '../spec/types';

export interface WindowStageInput {
  experiment: string;
  dataset: { name: string; source: DatasetSource; url: string | null };
  window: NormalizedWindow;
  /** Where the store goes; replaced atomically. */
  outDir: string;
  workspaceRoot?: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
}

export interface WindowManifest {
  format: typeof WINDOW_STORE_FORMAT;
  experiment: string;
  dataset: { id: string; title: string; variant: 'full' | 'sample'; archiveSha256: string; licence: string; citation: string };
  window: {
    mode: NormalizedWindow['mode'];
    sampleRateHz: number;
    nativeRateHz: number;
    /** Samples per window. */
    length: number;
    /** Samples between window starts (sliding mode), else null. */
    stride: number | null;
    channels: { name: string; unit: string }[];
    labels: NormalizedWindow['labels'];
    /** How the folds were made; under `stratified` the "subjects" are fold groups, not people. */
    folds: { scheme: NormalizedWindow['folds']['scheme']; k: number | null };
  };
  classes: string[];
  counts: { windows: number; perClass: number[]; imbalanceRatio: number | null };
  subjects: { id: string; recordings: number; windows: number; perClass: number[] }[];
  recordings: { name: string; subject: string; offset: number; length: number; windows: number }[];
  folds: {
    name: string;
    train: string[];
    test: string[];
    /** Per channel, over every sample of the training subjects' recordings. */
    normalization: { mean: number[]; std: number[] };
    trainCounts: number[];
    testCounts: number[];
    classWeights: number[];
    imbalanceRatio: number | null;
  }[];
  payload: { file: string; bytes: number; sha256: string; endianness: 'little'; sections: WindowSections };
}

interface SubjectAccumulator {
  recordings: number;
  windows: number;
  perClass: number[];
  moments: ChannelMoments;
}

/**
 * The `window` stage: dataset archive → resampled, labelled windows with subject-grouped folds. Streams one
 * recording at a time (only the payload file grows), and writes the store atomically and deterministically.
 */
export async function runWindowStage(input: WindowStageInput): Promise<WindowManifest> {
  const log = input.log ?? silentLog;
  const spec = input.window;
  const adapter = getAdapter(input.dataset.name);
  const entry = datasetEntry(input.dataset.name, input.workspaceRoot);
  const factor = adapter.nativeRateHz / spec.sampleRateHz;
  if (!Number.isInteger(factor) || factor < 1) {
    throw new UserError(`window.sampleRateHz ${spec.sampleRateHz} must divide the native rate ${adapter.nativeRateHz} Hz of ${adapter.id}`);
  }
  const classes = classList(adapter.labels, spec);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const policy = labelPolicy(spec);
  const subjectFilter = subjectsToRead(adapter.splits, spec);

  const dataset = await ensureDataset(input.dataset.name, {
    source: input.dataset.source,
    url: input.dataset.url,
    workspaceRoot: input.workspaceRoot,
    env: input.env,
    log,
  });
  log(`window: reading ${adapter.id} (${dataset.variant}) at ${spec.sampleRateHz} Hz, ${spec.mode} windows`);

  const started = Date.now();
  let lastReport = started;
  let length = spec.mode === 'recording' ? -1 : Math.round((spec.lengthSeconds ?? 0) * spec.sampleRateHz);
  const stride = spec.mode === 'sliding' ? slidingGeometry(spec.lengthSeconds ?? 0, spec.overlap, spec.sampleRateHz).stride : null;
  const starts: number[] = [];
  const labels: number[] = [];
  const subjectOfWindow: string[] = [];
  const recordingOfWindow: number[] = [];
  const recordings: WindowManifest['recordings'] = [];
  const subjects = new Map<string, SubjectAccumulator>();
  const groupOf = spec.folds.k === null ? null : stratifiedGroups(spec.folds.k);
  let channels: readonly string[] = [];
  let manifest: WindowManifest | undefined;

  await replaceDirAtomic(input.outDir, async (dir) => {
    const payload = new PayloadWriter(path.join(dir, PAYLOAD_FILE));
    try {
      let samples = 0;
      for await (const recording of adapter.recordings(dataset.root, { channels: spec.channels, subjects: subjectFilter })) {
        channels = recording.channels;
        const data = decimate(recording.data, recording.channels.length, factor);
        const resampled = resampleLabels(recording, factor, data.length / recording.channels.length);
        if (spec.mode === 'recording') {
          if (length === -1) length = resampled.length;
          if (resampled.length !== length) {
            throw new UserError(`${adapter.id} ${recording.name}: recording mode needs equal-length recordings (${resampled.length} ≠ ${length})`);
          }
        }
        const planned = planWindows(spec, resampled, length, stride, policy, adapter.labels[0]);
        // Under stratified folds a recording's group stands in for its subject from here on.
        const subject = groupOf ? groupOf(recordingLabelOf(recording, adapter.id)) : recording.subject;
        const accumulator = subjects.get(subject) ?? {
          recordings: 0,
          windows: 0,
          perClass: new Array<number>(classes.length).fill(0),
          moments: emptyMoments(recording.channels.length),
        };
        subjects.set(subject, accumulator);
        const recordingIndex = recordings.length;
        let kept = 0;
        for (const window of planned) {
          const label = spec.labels.map[window.label] ?? window.label;
          const index = classIndex.get(label);
          if (index === undefined) continue;
          starts.push(samples + window.start);
          labels.push(index);
          subjectOfWindow.push(subject);
          recordingOfWindow.push(recordingIndex);
          accumulator.perClass[index]++;
          kept++;
        }
        accumulator.recordings++;
        accumulator.windows += kept;
        accumulator.moments = mergeMoments(accumulator.moments, momentsOf(data, recording.channels.length));
        recordings.push({ name: recording.name, subject, offset: samples, length: resampled.length, windows: kept });
        payload.write(data);
        samples += resampled.length;
        if (Date.now() - lastReport > 2000) {
          lastReport = Date.now();
          log(`window: ${recordings.length} recordings, ${starts.length} windows, ${((lastReport - started) / 1000).toFixed(0)} s (${recording.name})`);
        }
      }
      if (recordings.length === 0) throw new UserError(`window: ${adapter.id} yielded no recordings for the chosen subjects`);
      if (starts.length === 0) throw new UserError(`window: no window fits the recordings (window ${length} samples); shorten window.lengthSeconds`);

      const subjectIds = [...subjects.keys()].filter((s) => subjects.get(s)!.windows > 0).sort();
      const subjectIndex = new Map(subjectIds.map((s, i) => [s, i]));
      const sections: WindowSections = {
        signals: { dtype: 'float32', offset: 0, shape: [samples, channels.length] },
        windowStart: payload.section('uint32', Uint32Array.from(starts), [starts.length]),
        windowLabel: payload.section('uint8', Uint8Array.from(labels), [labels.length]),
        windowSubject: payload.section(
          'uint16',
          Uint16Array.from(subjectOfWindow, (s) => subjectIndex.get(s)!),
          [starts.length],
        ),
        windowRecording: payload.section('uint32', Uint32Array.from(recordingOfWindow), [starts.length]),
      };
      const { bytes, sha256 } = payload.close();
      const perClass = sumCounts(
        subjectIds.map((s) => subjects.get(s)!.perClass),
        classes.length,
      );
      const split = spec.folds.split ? { name: spec.folds.split, ...adapter.splits[spec.folds.split] } : undefined;
      const folds = foldsOrExplain(() => buildFolds(spec.folds.scheme, subjectIds, split), dataset.variant, entry.sample?.note).map((fold) => {
        const trainCounts = sumCounts(
          fold.train.map((s) => subjects.get(s)!.perClass),
          classes.length,
        );
        const moments = fold.train.map((s) => subjects.get(s)!.moments).reduce(mergeMoments, emptyMoments(channels.length));
        return {
          ...fold,
          normalization: { mean: moments.mean, std: standardDeviation(moments) },
          trainCounts,
          testCounts: sumCounts(
            fold.test.map((s) => subjects.get(s)!.perClass),
            classes.length,
          ),
          classWeights: classWeights(trainCounts),
          imbalanceRatio: imbalanceRatio(trainCounts),
        };
      });
      const channelInfo = channels.map((name) => ({ name, unit: adapter.channels.find((c) => c.name === name)?.unit ?? '' }));
      manifest = {
        format: WINDOW_STORE_FORMAT,
        experiment: input.experiment,
        dataset: {
          id: adapter.id,
          title: entry.title,
          variant: dataset.variant,
          archiveSha256: dataset.sha256,
          licence: entry.licence,
          citation: entry.citation,
        },
        window: {
          mode: spec.mode,
          sampleRateHz: spec.sampleRateHz,
          nativeRateHz: adapter.nativeRateHz,
          length,
          stride,
          channels: channelInfo,
          labels: spec.labels,
          folds: { scheme: spec.folds.scheme, k: spec.folds.k },
        },
        classes,
        counts: { windows: starts.length, perClass, imbalanceRatio: imbalanceRatio(perClass) },
        subjects: subjectIds.map((id) => {
          const s = subjects.get(id)!;
          return { id, recordings: s.recordings, windows: s.windows, perClass: s.perClass };
        }),
        recordings,
        folds,
        payload: { file: PAYLOAD_FILE, bytes, sha256, endianness: 'little', sections },
      };
      await writeFile(path.join(dir, MANIFEST_FILE), `${canonicalJson(manifest, 1)}\n`);
    } catch (error) {
      try {
        payload.close();
      } catch {
        // already closed
      }
      throw error;
    }
  });
  const done = manifest!;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const perClassText = done.classes.map((c, i) => `${c} ${done.counts.perClass[i]}`).join(', ');
  log(
    `window: ${done.counts.windows} windows of ${done.window.length}×${done.window.channels.length} from ${done.recordings.length} recordings ` +
      `of ${done.subjects.length} subjects in ${seconds} s; ${perClassText}; imbalance ${done.counts.imbalanceRatio?.toFixed(1) ?? 'n/a'}; ` +
      `${done.folds.length} folds (${spec.folds.scheme}); payload ${formatBytes(done.payload.bytes)}`,
  );
  return done;
}

/** Class order: the spec's `labels.classes` when given, else the adapter's labels after `labels.map`, plus `other`. */
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

export function classList(adapterLabels: readonly string[], spec: NormalizedWindow): string[] {
  if (spec.labels.classes) return [...spec.labels.classes];
  const mapped = [...new Set(adapterLabels.map((l) => spec.labels.map[l] ?? l))];
  const usesOther = (spec.labels.policy === 'majority' || spec.labels.policy === 'centre') && spec.labels.unlabelled === 'other';
  if (usesOther && !mapped.includes(OTHER_LABEL)) mapped.push(spec.labels.map[OTHER_LABEL] ?? OTHER_LABEL);
  return mapped;
}

function recordingLabelOf(recording: Recording, dataset: string): string {
  if (recording.recordingLabel === undefined) {
    throw new UserError(`window.folds.scheme stratified: ${dataset} recording ${recording.name} has no single label to stratify by; use scheme loso`);
  }
  return recording.recordingLabel;
}

function subjectsToRead(splits: Record<string, { train: readonly string[]; test: readonly string[] }>, spec: NormalizedWindow): string[] | undefined {
  if (spec.folds.subjects) return [...spec.folds.subjects];
  if (spec.folds.scheme === 'split' && spec.folds.split) {
    const split = splits[spec.folds.split];
    if (!split) throw new UserError(`window.folds.split: unknown split "${spec.folds.split}"; known: ${Object.keys(splits).join(', ') || 'none'}`);
    return [...split.train, ...split.test];
  }
  return undefined;
}

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

/** A fold that cannot be built on the committed sample usually means the sample lacks a split: say so. */
function foldsOrExplain<T>(build: () => T, variant: 'full' | 'sample', sampleNote: string | undefined): T {
  try {
    return build();
  } catch (error) {
    if (variant === 'sample' && error instanceof UserError) {
      throw new UserError(
        `${error.message}. This ran on the committed sample (${sampleNote ?? 'a small cut'}); set NX_TINYML_DATASET_MIRROR to use the full archive`,
      );
    }
    throw error;
  }
}

function sumCounts(rows: number[][], classes: number): number[] {
  const total = new Array<number>(classes).fill(0);
  for (const row of rows) row.forEach((n, i) => (total[i] += n));
  return total;
}
