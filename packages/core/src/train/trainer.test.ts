import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { ModelIR } from '../model/ir';
import { FoldData } from './dataset';
import { initialWeights } from '../../testing/train/engine';
import { syntheticWindowStore } from '../../testing/train/synthetic-store';
import { trainModel, type EpochProgress } from './trainer';

/** A small CNN that can see the synthetic bursts, cheap enough to train in a test. */
const smallCnn: ModelIR = {
  input: { length: 120, channels: 6 },
  layers: [
    { kind: 'conv1d', filters: 8, kernel: 5, stride: 2, padding: 'same', activation: 'relu' },
    { kind: 'maxpool1d', pool: 2, stride: 2 },
    { kind: 'conv1d', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'globalavgpool' },
    { kind: 'dense', units: 1, activation: 'none' },
  ],
  head: 'sigmoid',
};

const store = syntheticWindowStore({ subjects: 5, windowsPerSubject: 120, seed: 5 });
const data = new FoldData(store, { fold: 0, seed: 1, validationSubjects: 1 });

describe('trainModel', () => {
  it('learns the minority class and reports validation and test metrics', () => {
    const progress: EpochProgress[] = [];
    const result = trainModel(smallCnn, data, { seed: 1, epochs: 8, batchSize: 32, learningRate: 0.01, onEpoch: (p) => progress.push(p) });
    expect(progress).toEqual(result.history);
    expect(result.history[0].samplesPerSecond).toBeGreaterThan(0);
    expect(result.validation!.positiveF1).toBeGreaterThan(0.8);
    expect(result.test!.positiveF1).toBeGreaterThan(0.8);
    expect(result.trainWindows).toBe(data.train.length);
    // class weights from the training windows: w_i = n / (k·n_i)
    const [adl, falls] = data.counts(data.train);
    expect(result.classWeights[1]).toBeCloseTo((adl + falls) / (2 * falls), 12);
    expect(result.history[result.history.length - 1].loss).toBeLessThan(result.history[0].loss);
  });

  it.each(['float64', 'float32'] as const)(
    'is deterministic in %s: the same seed gives bit-identical weights and history; another seed does not',
    (precision) => {
      const options = { seed: 42, epochs: 2, batchSize: 16, precision };
      const a = trainModel(smallCnn, data, options);
      const b = trainModel(smallCnn, data, options);
      expect(JSON.stringify(b.weights)).toBe(JSON.stringify(a.weights));
      expect(b.history.map((h) => [h.loss, h.validationLoss])).toEqual(a.history.map((h) => [h.loss, h.validationLoss]));
      const c = trainModel(smallCnn, data, { ...options, seed: 43 });
      expect(JSON.stringify(c.weights)).not.toBe(JSON.stringify(a.weights));
    },
  );

  it.each(['float64', 'float32'] as const)('gives the same weights in a worker thread as on the main thread (%s)', async (precision) => {
    const options = { seed: 9, epochs: 1, batchSize: 32, precision };
    const here = trainModel(smallCnn, data, options);
    const script = `
      require('@swc-node/register');
      const { parentPort, workerData } = require('node:worker_threads');
      const { syntheticWindowStore } = require(${JSON.stringify(path.join(__dirname, '../../testing/train/synthetic-store.ts'))});
      const { FoldData } = require(${JSON.stringify(path.join(__dirname, 'dataset.ts'))});
      const { trainModel } = require(${JSON.stringify(path.join(__dirname, 'trainer.ts'))});
      const store = syntheticWindowStore({ subjects: 5, windowsPerSubject: 120, seed: 5 });
      const data = new FoldData(store, { fold: 0, seed: 1, validationSubjects: 1 });
      parentPort.postMessage(JSON.stringify(trainModel(workerData.ir, data, workerData.options).weights));
    `;
    const there = await new Promise<string>((resolve, reject) => {
      const worker = new Worker(script, { eval: true, workerData: { ir: smallCnn, options } });
      worker.once('message', (message: string) => {
        resolve(message);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
    expect(there).toBe(JSON.stringify(here.weights));
  });

  it('float32 learns as float64 does, from the same initial weights rounded, with float32 weights', () => {
    const options = { seed: 1, epochs: 8, batchSize: 32, learningRate: 0.01 };
    const single = trainModel(smallCnn, data, { ...options, precision: 'float32' });
    const double = trainModel(smallCnn, data, { ...options, precision: 'float64' });
    expect(single.validation!.positiveF1).toBeGreaterThan(0.8);
    expect(single.test!.positiveF1).toBeGreaterThan(0.8);
    expect(single.weights.flat().every((w) => Math.fround(w) === w)).toBe(true);
    expect(double.weights.flat().some((w) => Math.fround(w) !== w)).toBe(true);
    const first = (precision: 'float32' | 'float64') => trainModel(smallCnn, data, { ...options, epochs: 0, precision }).weights.flat();
    expect(first('float32')).toEqual(first('float64').map((w) => Math.fround(w)));
  });

  it('stops on an abort signal or a deadline, keeping the initial weights if no epoch finished', () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = trainModel(smallCnn, data, { seed: 4, epochs: 3, signal: controller.signal });
    expect(aborted.stopReason).toBe('aborted');
    expect(aborted.bestEpoch).toBe(0);
    expect(aborted.history).toEqual([]);
    expect(aborted.weights).toEqual(initialWeights(smallCnn, 4));
    const late = trainModel(smallCnn, data, { seed: 4, epochs: 3, deadline: Date.now() - 1 });
    expect(late.stopReason).toBe('deadline');
  });

  it('the unweighted ablation uses unit loss weights', () => {
    const result = trainModel(smallCnn, data, { seed: 5, epochs: 1, classWeighting: false });
    expect(result.classWeights).toEqual([1, 1]);
  });

  it('fine-tunes from given weights with pruned parameters pinned to zero', () => {
    const start = initialWeights(smallCnn, 6);
    const masks = start.map((layer, i) => (i === 0 ? Uint8Array.from(layer, (_, j) => j % 2) : null));
    const result = trainModel(smallCnn, data, { seed: 6, epochs: 1, initialWeights: start, masks });
    result.weights[0].forEach((v, j) => {
      if (j % 2 === 0) expect(v).toBe(0);
    });
    expect(result.weights[0][1]).not.toBe(start[0][1]);
  });

  it('trains a softmax head on the store classes', () => {
    const softmax: ModelIR = { ...smallCnn, head: 'softmax', layers: [...smallCnn.layers.slice(0, -1), { kind: 'dense', units: 2, activation: 'none' }] };
    const result = trainModel(softmax, data, { seed: 7, epochs: 2, batchSize: 32, learningRate: 0.01 });
    expect(result.positiveClass).toBe(1);
    expect(result.validation!.confusion).toHaveLength(2);
    expect(() => trainModel(smallCnn, data, { seed: 7, epochs: 1, positiveClass: 0 })).not.toThrow();
  });
});
