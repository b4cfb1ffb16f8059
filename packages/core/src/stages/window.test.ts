import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { readWindowStore } from '../data/window-store';
import { parseSpec } from '../spec/load';
import type { WindowManifest } from '../data/window-manifest';
import { runWindowStage } from './window';

/** The window stage on the committed samples (real data, cut small), as the flagship runs without a mirror. */
const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-window-'));
const env = { NX_TINYML_DATA_DIR: path.join(defaultWorkspaceRoot, '.data', 'datasets') };
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mirror = process.env.NX_TINYML_DATASET_MIRROR;

async function windowsFor(yaml: string, outName: string, source: 'sample' | 'full' = 'sample'): Promise<{ manifest: WindowManifest; outDir: string }> {
  const spec = parseSpec(yaml, 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot });
  const outDir = path.join(scratch, outName);
  const manifest = await runWindowStage({
    experiment: spec.name,
    dataset: { ...spec.dataset, source },
    window: spec.window,
    outDir,
    workspaceRoot: defaultWorkspaceRoot,
    env: { ...env, NX_TINYML_DATASET_MIRROR: mirror },
  });
  return { manifest, outDir };
}

const fallSpec = `name: fall-test\nboard: esp32-s2\ndataset: sisfall\n`;

describe('window stage on the SisFall sample (MicroNAS settings)', () => {
  it('cuts 120×6 windows every 12 samples at 100 Hz with fall windows around each impact', async () => {
    const { manifest, outDir } = await windowsFor(fallSpec, 'fall');
    expect(manifest.window).toMatchObject({ mode: 'sliding', sampleRateHz: 100, nativeRateHz: 200, length: 120, stride: 12 });
    expect(manifest.window.channels.map((c) => c.name)).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
    expect(manifest.classes).toEqual(['adl', 'fall']);
    const store = await readWindowStore<WindowManifest>(outDir);
    expect(store.windowStart.length).toBe(manifest.counts.windows);

    for (const [r, recording] of manifest.recordings.entries()) {
      // every window of a recording lies inside it; counts follow floor((n − L) / stride) + 1
      const starts = [...store.windowStart].filter((_, w) => store.windowRecording[w] === r);
      expect(starts.length).toBe(recording.windows);
      expect(recording.windows).toBe(Math.floor((recording.length - 120) / 12) + 1);
      for (const start of starts) {
        expect(start).toBeGreaterThanOrEqual(recording.offset);
        expect(start + 120).toBeLessThanOrEqual(recording.offset + recording.length);
      }
      const falls = [...store.windowLabel].filter((label, w) => store.windowRecording[w] === r && label === 1).length;
      const isFallTrial = /\/F\d\d_/.test(recording.name);
      // impact ± (1 s, 0.5 s) spans 151 samples: a window of 120 overlaps it from 270 start positions → 22 or 23 starts
      if (isFallTrial) expect(falls).toBeGreaterThanOrEqual(20);
      else expect(falls).toBe(0);
    }
    // every fold tests one subject and normalises with training subjects only
    expect(manifest.folds.map((f) => f.name)).toEqual(manifest.subjects.map((s) => s.id));
    for (const fold of manifest.folds) {
      expect(fold.train).not.toContain(fold.test[0]);
      expect(fold.normalization.mean).toHaveLength(6);
      expect(fold.normalization.std.every((s) => s > 0)).toBe(true);
    }
    expect(manifest.counts.imbalanceRatio).toBeGreaterThan(5);
  });

  it('is deterministic: same spec and data give byte-identical files', async () => {
    const a = await windowsFor(fallSpec, 'det-a');
    const b = await windowsFor(fallSpec, 'det-b');
    for (const file of ['windows.json', 'windows.bin']) {
      expect(readFileSync(path.join(a.outDir, file)).equals(readFileSync(path.join(b.outDir, file)))).toBe(true);
    }
    expect(readdirSync(a.outDir).sort()).toEqual(['windows.bin', 'windows.json']);
  });

  it('normalisation statistics of a fold differ from the all-subject ones (test subject excluded)', async () => {
    const { manifest } = await windowsFor(fallSpec, 'fall');
    const means = manifest.folds.map((f) => f.normalization.mean[0]);
    expect(new Set(means).size).toBe(means.length);
  });

  it('fallTrialRest: exclude keeps only the impact windows of fall trials', async () => {
    const { manifest } = await windowsFor(`${fallSpec}window:\n  labels:\n    fallTrialRest: exclude\n`, 'exclude');
    const fallTrials = manifest.recordings.filter((r) => /\/F\d\d_/.test(r.name));
    expect(fallTrials.every((r) => r.windows >= 20 && r.windows <= 23)).toBe(true);
  });

  it('leaves no partial output when it fails, and keeps the previous store', async () => {
    const { outDir } = await windowsFor(fallSpec, 'keep');
    const before = readFileSync(path.join(outDir, 'windows.json'));
    await expect(windowsFor(`${fallSpec}window:\n  lengthSeconds: 3000\n`, 'keep')).rejects.toThrow(/no window fits/);
    expect(readFileSync(path.join(outDir, 'windows.json')).equals(before)).toBe(true);
    expect(readdirSync(scratch).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('window stage on the other samples', () => {
  it('MIT-BIH: beat-centred windows with AAMI classes, DS1 train and DS2 test', async () => {
    const { manifest } = await windowsFor(`name: ecg-test\nboard: stm32f446ze\ndataset: mitbih\nwindow:\n  sampleRateHz: 180\n`, 'mitbih');
    expect(manifest.window).toMatchObject({ mode: 'beat', length: 130, stride: null });
    expect(manifest.classes).toEqual(['N', 'S', 'V', 'F', 'Q']);
    expect(manifest.folds).toHaveLength(1);
    const [fold] = manifest.folds;
    expect(fold.name).toBe('ds1-ds2');
    expect(fold.trainCounts[0]).toBeGreaterThan(0);
    expect(fold.testCounts[2]).toBeGreaterThan(0);
  });

  it('MIT-BIH with rrFeatures (its default): three RR channels after the lead, each beat’s intervals stored, features normalised over the training beats', async () => {
    const plain = await windowsFor(`name: ecg-test\nboard: stm32f446ze\ndataset: mitbih\nwindow:\n  sampleRateHz: 180\n  rrFeatures: false\n`, 'mitbih-plain');
    expect(plain.manifest.window.channels).toEqual([{ name: 'MLII', unit: 'mV' }]);
    const { manifest, outDir } = await windowsFor(`name: ecg-test\nboard: stm32f446ze\ndataset: mitbih\nwindow:\n  sampleRateHz: 180\n`, 'mitbih-rr');
    expect(manifest.window.channels).toEqual([
      { name: 'MLII', unit: 'mV' },
      { name: 'rr_pre', unit: 'ratio', perCount: 1 / 256, derived: 'rr' },
      { name: 'rr_post', unit: 'ratio', perCount: 1 / 256, derived: 'rr' },
      { name: 'rr_local', unit: 's', perCount: 1 / 180, derived: 'rr' },
    ]);
    // Only beats without a neighbour on both sides are lost: at most two per record.
    const lost = plain.manifest.counts.windows - manifest.counts.windows;
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(2 * manifest.recordings.length);
    const store = await readWindowStore(outDir);
    expect(store.signalChannels).toBe(1);
    expect(store.windowRr!.length).toBe(9 * manifest.counts.windows);
    // A window's derived values are its intervals' features: the beat's own pre-RR over the local mean, in range.
    const w = 100;
    const intervals = Array.from(store.windowRr!.subarray(9 * w, 9 * w + 9));
    const history = intervals.slice(0, 8).filter((d) => d > 0);
    const local = Math.round(history.reduce((a, b) => a + b, 0) / history.length);
    expect(store.derived[3 * w + 2]).toBeCloseTo(local / 180, 9);
    expect(store.derived[3 * w]).toBeCloseTo(Math.round((256 * intervals[7]) / local) / 256, 9);
    // Normal rhythm: beats' pre-RR near the local mean, so the channel's training mean is near 1.
    const [fold] = manifest.folds;
    expect(fold.normalization.mean).toHaveLength(4);
    expect(fold.normalization.mean[1]).toBeGreaterThan(0.8);
    expect(fold.normalization.mean[1]).toBeLessThan(1.2);
    expect(fold.normalization.std[1]).toBeGreaterThan(0.01);
  });

  it.skipIf(!mirror)('ECG5000 (full archive): every beat is one 140-sample window, official train vs derived binary test', async () => {
    const { manifest } = await windowsFor(
      `name: e5\nboard: host\ndataset: ecg5000\nwindow:\n  folds: { scheme: split, split: train-test }\n`,
      'ecg5000',
      'full',
    );
    expect(manifest.window).toMatchObject({ mode: 'recording', length: 140 });
    expect(manifest.classes).toEqual(['normal', 'abnormal']);
    expect(manifest.folds[0]).toMatchObject({ name: 'train-test', train: ['train'], test: ['test'] });
    expect(manifest.folds[0].trainCounts).toEqual([292, 208]);
    expect(manifest.folds[0].testCounts).toEqual([2627, 1873]);
  });

  it('ECG5000 sample: holds only the TRAIN file, so the train-test split fails with a clear hint', async () => {
    await expect(
      windowsFor(`name: e5\nboard: host\ndataset: ecg5000\nwindow:\n  folds: { scheme: split, split: train-test }\n`, 'ecg5000-sample'),
    ).rejects.toThrow(/split "train-test" leaves no test subject .* committed sample .* NX_TINYML_DATASET_MIRROR/);
  });

  it('ECG5000 sample, stratified 5-fold (the defaults): the 500 labelled beats dealt into 5 folds with the same class mix', async () => {
    const spec = `name: e5\nboard: host\ndataset: ecg5000\n`;
    const { manifest } = await windowsFor(spec, 'ecg5000-strat');
    expect(manifest.window.folds).toEqual({ scheme: 'stratified', k: 5 });
    expect(manifest.subjects.map((s) => s.id)).toEqual(['fold1', 'fold2', 'fold3', 'fold4', 'fold5']);
    expect(manifest.subjects.reduce((sum, s) => sum + s.windows, 0)).toBe(500);
    for (const subject of manifest.subjects) {
      expect(Math.abs(subject.perClass[0] - 292 / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(subject.perClass[1] - 208 / 5)).toBeLessThanOrEqual(1);
    }
    expect(manifest.folds.map((f) => f.name)).toEqual(['fold1', 'fold2', 'fold3', 'fold4', 'fold5']);
    expect(manifest.folds[0].testCounts.reduce((a, b) => a + b)).toBe(manifest.subjects[0].windows);
  });

  it('HAPT: majority-labelled windows of activities and transitions plus `other`', async () => {
    const { manifest } = await windowsFor(`name: har\nboard: stm32h747xi\ndataset: hapt_uci\n`, 'hapt');
    expect(manifest.window).toMatchObject({ mode: 'sliding', length: 128, stride: 64 });
    expect(manifest.classes).toHaveLength(13);
    expect(manifest.classes.at(-1)).toBe('other');
    expect(manifest.counts.perClass[0]).toBeGreaterThan(0); // walking
    expect(existsSync(path.join(scratch, 'hapt', 'windows.bin'))).toBe(true);
  });
});
