import { describe, expect, it } from 'vitest';
import type { ModelIR } from '../../src/model/ir';
import { FoldData } from '../../src/train/dataset';
import { initialWeights, irEngine, tfjsEngine } from './engine';
import { syntheticWindowStore } from './synthetic-store';
import { loadTfjs } from '../tfjs-oracle/load';

const tiny: ModelIR = {
  input: { length: 120, channels: 6 },
  layers: [
    { kind: 'conv1d', filters: 4, kernel: 5, stride: 4, padding: 'same', activation: 'relu' },
    { kind: 'globalavgpool' },
    { kind: 'dense', units: 1, activation: 'none' },
  ],
  head: 'sigmoid',
};

const data = new FoldData(syntheticWindowStore({ subjects: 4, windowsPerSubject: 60, seed: 2 }), { fold: 0, validationSubjects: 1 });

describe('engines', () => {
  it('tfjs loads from tfjs-node when it works, else from the pure-JS package', async () => {
    const loaded = await loadTfjs();
    expect(['@tensorflow/tfjs-node', '@tensorflow/tfjs']).toContain(loaded.from);
    expect(loaded.backend.length).toBeGreaterThan(0);
  });

  it('the tfjs engine trains the same IR from the same initial weights on the same batches as ours', async () => {
    const options = { seed: 3, epochs: 1, batchSize: 32, learningRate: 0.003 };
    const start = initialWeights(tiny, options.seed);
    const ours = await irEngine.train(tiny, data, options);
    const theirs = await tfjsEngine({ native: false }).train(tiny, data, options);
    // float32 vs float64 through 6 Adam steps. Each step moves a weight by up to ~lr, and Adam divides by √v, so a
    // gradient that is nearly zero (a filter ReLU mostly silences) turns float32 noise into a visible difference:
    // measured ≈1e-4 against a total movement of up to 6·lr = 0.018.
    let diff = 0;
    let moved = 0;
    ours.weights.forEach((layer, i) =>
      layer.forEach((v, j) => {
        diff = Math.max(diff, Math.abs(v - theirs.weights[i][j]));
        moved = Math.max(moved, Math.abs(v - start[i][j]));
      }),
    );
    expect(moved).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-3);
    expect(theirs.history[0].loss).toBeCloseTo(ours.history[0].loss, 5);
    expect(theirs.classWeights).toEqual(ours.classWeights);
  });

  it('both engines score saved weights alike', async () => {
    const trained = await irEngine.train(tiny, data, { seed: 4, epochs: 2, batchSize: 16, learningRate: 0.01 });
    const a = await irEngine.evaluate(tiny, trained.weights, data, data.test);
    const b = await tfjsEngine({ native: false }).evaluate(tiny, trained.weights, data, data.test);
    expect(a.count).toBe(data.test.length);
    expect(b.confusion).toEqual(a.confusion);
  });
});
