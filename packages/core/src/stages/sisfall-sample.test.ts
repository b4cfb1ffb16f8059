import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { readWindowStore } from '../data/window-store';
import { referenceCnn } from '../../testing/reference-models';
import { parseSpec } from '../spec/load';
import type { WindowManifest } from '../data/window-manifest';
import { windowSample } from '../../testing/sample-pipeline';
import { FoldData } from '../train/dataset';
import { trainModel } from '../train/trainer';

/** The engine on real windows: the committed SisFall sample through the window stage, then a short training. */
const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('training on the SisFall sample', () => {
  it('trains the reference CNN on a leave-one-subject-out fold with subject-grouped validation', async () => {
    const spec = parseSpec('name: train-test\nboard: esp32-s2\ndataset: sisfall\n', 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot });
    const outDir = path.join(scratch, 'windows');
    await windowSample(spec, outDir);
    const store = await readWindowStore<WindowManifest>(outDir);
    const fold = store.manifest.folds.findIndex((f) => f.testCounts[1] > 0);
    const data = new FoldData(store, { fold, seed: 1, validationSubjects: 1, maxTrainWindows: 600 });
    expect(data.train.length).toBeLessThanOrEqual(600);
    expect(data.validation.length).toBeGreaterThan(0);
    expect(data.counts(data.validation)[1]).toBeGreaterThan(0);
    const result = trainModel(referenceCnn(), data, { seed: 1, epochs: 2, batchSize: 64 });
    expect(result.history).toHaveLength(2);
    expect(Number.isFinite(result.history[1].loss)).toBe(true);
    expect(result.test!.count).toBe(data.test.length);
    expect(result.samplesPerSecond).toBeGreaterThan(100);
  });
});
