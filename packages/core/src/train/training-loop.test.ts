import { describe, expect, it } from 'vitest';
import { FoldData } from './dataset';
import type { HeadTargets } from './head-targets';
import type { NetworkWeights } from './network';
import { syntheticWindowStore } from '../../testing/train/synthetic-store';
import type { TrainableModel } from './trainable';
import { runTraining } from './training-loop';

const data = new FoldData(syntheticWindowStore({ subjects: 4, windowsPerSubject: 60 }), { fold: 0, validationSubjects: 1 });
const targets: HeadTargets = { head: 'sigmoid', classes: 2, positiveClass: 1, target: (label) => label };

/**
 * A stand-in model whose weights are [[epoch]] and whose validation predictions follow a script: per epoch, how many
 * of the validation subject's 6 falls it finds (so the positive-class F1 per epoch is known) and the loss it reports.
 */
function scripted(found: number[], losses: number[]): TrainableModel & { batches: number[][] } {
  let epoch = 0;
  let weights: NetworkWeights = [[0]];
  const batches: number[][] = [];
  return {
    batches,
    trainBatch(order, from, to) {
      if (from === 0) {
        epoch++;
        weights = [[epoch]];
      }
      batches.push(order.slice(from, to));
      return to - from;
    },
    predict(windows) {
      const truth = Uint8Array.from(windows, (w) => data.label(w));
      const current = weights[0][0];
      let left = found[current - 1] ?? 0;
      const predictions = truth.map((t) => (t === 1 && left-- > 0 ? 1 : 0));
      return { targets: truth, predictions, loss: (losses[current - 1] ?? 1) * windows.length };
    },
    exportWeights: () => weights.map((w) => [...w]),
    importWeights: (w) => {
      weights = w;
    },
    applyMasks: () => undefined,
  };
}

describe('runTraining', () => {
  it('early-stops after `patience` epochs without a better F1 and restores the best epoch', () => {
    const model = scripted([1, 3, 5, 5, 4, 5, 2], [0.9, 0.8, 0.7, 0.75, 0.6, 0.8, 0.5]);
    const result = runTraining(model, data, targets, [1, 1], { seed: 1, epochs: 20, patience: 3 });
    expect(result.stopReason).toBe('early-stopping');
    expect(result.bestEpoch).toBe(3);
    expect(result.history.map((h) => h.improved)).toEqual([true, true, true, false, false, false]);
    expect(result.weights).toEqual([[3]]);
    expect(result.validation!.positiveF1).toBe(result.history[2].validationF1);
  });

  it('breaks F1 ties by lower validation loss, so a plateau still moves', () => {
    const model = scripted([0, 0, 0, 0], [0.9, 0.8, 0.85, 0.7]);
    const result = runTraining(model, data, targets, [1, 1], { seed: 1, epochs: 4, patience: 2 });
    expect(result.history.map((h) => h.improved)).toEqual([true, true, false, true]);
    expect(result.bestEpoch).toBe(4);
    expect(result.stopReason).toBe('completed');
  });

  it('shuffles every epoch from the seed, covering each training window once, in batches of batchSize', () => {
    const run = (seed: number) => {
      const model = scripted([1, 1], [1, 1]);
      runTraining(model, data, targets, [1, 1], { seed, epochs: 2, batchSize: 7 });
      return model.batches;
    };
    const batches = run(5);
    const perEpoch = Math.ceil(data.train.length / 7);
    expect(batches).toHaveLength(2 * perEpoch);
    expect(batches.slice(0, perEpoch - 1).every((b) => b.length === 7)).toBe(true);
    const first = batches.slice(0, perEpoch).flat();
    const second = batches.slice(perEpoch).flat();
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from(data.train));
    expect(second).not.toEqual(first);
    expect(run(5)).toEqual(batches);
    expect(run(6)).not.toEqual(batches);
  });
});
