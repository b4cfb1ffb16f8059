import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { fillWindow, readWindowStore } from '../data/window-store';
import { parseSpec } from '../spec/load';
import { useDatasetRoot } from '../../testing/datasets';
import { windowSample } from '../../testing/sample-pipeline';
import { readLocalRecordings, RecordingWindowSource } from './new-data';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-new-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const spec = parseSpec('name: ecg-test\nboard: stm32f446ze\ndataset: mitbih\nwindow:\n  sampleRateHz: 180\n', 'experiment.yaml', {
  workspaceRoot: defaultWorkspaceRoot,
});

describe('recordings of a local folder (evaluate-data, predict)', () => {
  const root = useDatasetRoot('mitbih', 'sample');

  it('MIT-BIH with rrFeatures: every beat the window stage keeps is read with the same values, RR channels included', async () => {
    const outDir = path.join(scratch, 'windows');
    await windowSample(spec, outDir);
    const store = await readWindowStore(outDir);
    const { manifest } = store;
    const { mean, std } = manifest.folds[0].normalization;
    const invStd = std.map((s) => (s > 0 ? 1 / s : 1));
    const recordings = await readLocalRecordings(root(), 'mitbih', spec.window, manifest.window.length);
    expect(recordings.map((r) => r.name).sort()).toEqual(manifest.recordings.map((r) => r.name).sort());
    const byName = new Map(
      recordings.map((r) => [
        r.name,
        { recording: r, source: new RecordingWindowSource(r, manifest.window.length, { mean, std }), at: new Map(r.windows.map((x, i) => [x.start, i])) },
      ]),
    );

    const fromStore = new Float64Array(manifest.window.length * 4);
    const fromFolder = new Float64Array(manifest.window.length * 4);
    const differing: string[] = [];
    for (let w = 0; w < store.windowStart.length; w++) {
      const stored = manifest.recordings[store.windowRecording[w]];
      const { recording, source, at } = byName.get(stored.name)!;
      const local = at.get(store.windowStart[w] - stored.offset);
      if (local === undefined || recording.windows[local].label !== manifest.classes[store.windowLabel[w]]) {
        differing.push(`${stored.name} window ${w}: not read from the folder with its label`);
        continue;
      }
      fillWindow(store, w, mean, invStd, fromStore);
      source.fill(local, fromFolder);
      if (fromFolder.some((v, i) => v !== fromStore[i])) differing.push(`${stored.name} window ${w}: other values`);
    }
    expect(differing).toEqual([]);
    // The folder's reader keeps the beats outside the model's classes (Q) too, unscored; it loses the same edge beats.
    const inClasses = recordings.reduce((n, r) => n + r.windows.filter((x) => manifest.classes.includes(x.label!)).length, 0);
    expect(inClasses).toBe(store.windowStart.length);
    expect(recordings[0].derived.names).toEqual(['rr_pre', 'rr_post', 'rr_local']);
  });

  it('a model trained with RR channels, read by a spec without them, gets an error naming both channel counts', async () => {
    const plain = { ...spec.window, rrFeatures: false };
    const [recording] = await readLocalRecordings(root(), 'mitbih', plain, 130);
    const fourChannels = { mean: [0, 1, 1, 1], std: [1, 1, 1, 1] };
    expect(() => new RecordingWindowSource(recording, 130, fourChannels)).toThrow(
      new RegExp(`^${recording.name}: 1 signal channel\\(s\\), but the model was trained on 4 channels`),
    );
    const [withRr] = await readLocalRecordings(root(), 'mitbih', spec.window, 130);
    expect(() => new RecordingWindowSource(withRr, 130, { mean: [0, 1], std: [1, 1] })).toThrow(
      /1 signal channel\(s\) \+ 3 computed \(rr_pre, rr_post, rr_local\), but the model was trained on 2/,
    );
  });
});
