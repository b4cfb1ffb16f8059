import { Random } from '../../src/common/random';
import { buildFolds, classWeights, imbalanceRatio } from '../../src/data/folds';
import { WINDOW_STORE_FORMAT, type WindowManifest } from '../../src/data/window-manifest';
import type { LoadedWindowStore } from '../../src/data/window-store';

export interface SyntheticStoreOptions {
  subjects: number;
  windowsPerSubject: number;
  length?: number;
  channels?: number;
  /**
   * Samples between window starts. Default `length` (no overlap), so a burst belongs to its window alone and the
   * task is learnable; a smaller stride overlaps windows like the real store (speed benchmarks).
   */
  stride?: number;
  /** Every n-th window of a subject is a "fall" (class 1): a short burst on the first channels. Default 10. */
  fallEvery?: number;
  /** Subjects (by index) that have no falls, like SisFall's elderly SE01–SE04. */
  subjectsWithoutFalls?: number[];
  seed?: number;
}

/**
 * An in-memory window store with the real store's layout (continuous signals, windows as (start, label, subject,
 * recording), leave-one-subject-out folds with their normalisation and class weights), holding seeded noise with a
 * learnable burst in the minority-class windows. For tests and benchmarks that must not depend on a dataset.
 */
export function syntheticWindowStore(options: SyntheticStoreOptions): LoadedWindowStore<WindowManifest> {
  const length = options.length ?? 120;
  const channels = options.channels ?? 6;
  const stride = options.stride ?? length;
  const fallEvery = options.fallEvery ?? 10;
  const random = new Random(options.seed ?? 1);
  const samplesPerSubject = (options.windowsPerSubject - 1) * stride + length;
  const signals = new Float32Array(options.subjects * samplesPerSubject * channels);
  const windows = options.subjects * options.windowsPerSubject;
  const windowStart = new Uint32Array(windows);
  const windowLabel = new Uint8Array(windows);
  const windowSubject = new Uint16Array(windows);
  const windowRecording = new Uint32Array(windows);
  const subjectIds = Array.from({ length: options.subjects }, (_, s) => `S${String(s + 1).padStart(2, '0')}`);
  const perSubject = subjectIds.map(() => [0, 0]);
  for (let i = 0; i < signals.length; i++) signals[i] = 9.81 * (i % channels === 2 ? 1 : 0) + (random.next() - 0.5);
  for (let s = 0; s < options.subjects; s++) {
    const offset = s * samplesPerSubject;
    const falls = !options.subjectsWithoutFalls?.includes(s);
    for (let k = 0; k < options.windowsPerSubject; k++) {
      const w = s * options.windowsPerSubject + k;
      const label = falls && k % fallEvery === fallEvery - 1 ? 1 : 0;
      windowStart[w] = offset + k * stride;
      windowLabel[w] = label;
      windowSubject[w] = s;
      windowRecording[w] = s;
      perSubject[s][label]++;
      if (label === 1) {
        // the burst sits in the middle of the window, so overlapping neighbours see part of it (as real falls do)
        const at = offset + k * stride + Math.floor(length / 2);
        for (let t = at - 3; t < at + 3; t++) for (let c = 0; c < Math.min(3, channels); c++) signals[t * channels + c] += 4 + random.next();
      }
    }
  }
  const channelMeans = (rows: number[]) => {
    const mean = new Array<number>(channels).fill(0);
    const square = new Array<number>(channels).fill(0);
    let n = 0;
    for (const s of rows) {
      for (let i = s * samplesPerSubject * channels; i < (s + 1) * samplesPerSubject * channels; i++) {
        mean[i % channels] += signals[i];
        square[i % channels] += signals[i] * signals[i];
      }
      n += samplesPerSubject;
    }
    return { mean: mean.map((m) => m / n), std: square.map((q, c) => Math.sqrt(Math.max(q / n - (mean[c] / n) ** 2, 0))) };
  };
  const count = (ids: string[]) => [0, 1].map((c) => ids.reduce((sum, id) => sum + perSubject[subjectIds.indexOf(id)][c], 0));
  const manifest: WindowManifest = {
    format: WINDOW_STORE_FORMAT,
    experiment: 'synthetic',
    dataset: { id: 'synthetic', title: 'synthetic bursts in noise', variant: 'sample', archiveSha256: '', licence: 'none', citation: 'none' },
    window: {
      mode: 'sliding',
      sampleRateHz: 100,
      nativeRateHz: 100,
      length,
      stride,
      channels: Array.from({ length: channels }, (_, c) => ({ name: `ch${c}`, unit: '' })),
      labels: { policy: 'impact', preSeconds: 1, postSeconds: 0.5, fallTrialRest: 'negative', minPurity: 0, unlabelled: 'exclude', classes: null, map: {} },
      folds: { scheme: 'loso', k: null },
    },
    classes: ['adl', 'fall'],
    counts: { windows, perClass: count(subjectIds), imbalanceRatio: imbalanceRatio(count(subjectIds)) },
    subjects: subjectIds.map((id, s) => ({ id, recordings: 1, windows: options.windowsPerSubject, perClass: perSubject[s] })),
    recordings: subjectIds.map((id, s) => ({
      name: `${id}/R01`,
      subject: id,
      offset: s * samplesPerSubject,
      length: samplesPerSubject,
      windows: options.windowsPerSubject,
    })),
    folds: buildFolds('loso', subjectIds).map((fold) => {
      const trainCounts = count(fold.train);
      return {
        ...fold,
        normalization: channelMeans(fold.train.map((id) => subjectIds.indexOf(id))),
        trainCounts,
        testCounts: count(fold.test),
        classWeights: classWeights(trainCounts),
        imbalanceRatio: imbalanceRatio(trainCounts),
      };
    }),
    payload: {
      file: 'windows.bin',
      bytes: 0,
      sha256: '',
      endianness: 'little',
      sections: {
        signals: { dtype: 'float32', offset: 0, shape: [signals.length / channels, channels] },
        windowStart: { dtype: 'uint32', offset: 0, shape: [windows] },
        windowLabel: { dtype: 'uint8', offset: 0, shape: [windows] },
        windowSubject: { dtype: 'uint16', offset: 0, shape: [windows] },
        windowRecording: { dtype: 'uint32', offset: 0, shape: [windows] },
      },
    },
  };
  return {
    manifest,
    signals,
    windowStart,
    windowLabel,
    windowSubject,
    windowRecording,
    windowRr: null,
    signalChannels: channels,
    derived: new Float64Array(0),
  };
}
