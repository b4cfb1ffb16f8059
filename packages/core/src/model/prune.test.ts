import { describe, expect, it } from 'vitest';
import { UserError } from '../common/errors';
import { Random } from '../common/random';
import { Network } from '../train/network';
import type { Layer, ModelIR } from './ir';
import { defaultBudget, estimateMemory, fitsBudget } from './memory';
import type { BoardMemory } from '../spec/types';
import { elementCount, paramCount, paramLayout } from './params';
import { channelImportance, prunableLayers, pruneToFit, removeChannel } from './prune';
import { referenceCnn } from '../../testing/reference-models';
import { InvalidModelError, inputShapes, validateIR } from './shapes';

const model = (length: number, channels: number, layers: Layer[], head: ModelIR['head'] = 'softmax'): ModelIR => ({
  input: { length, channels },
  layers,
  head,
});

/** One small model per architecture family the search spaces produce. */
const FAMILIES: Record<string, ModelIR> = {
  'conv → relu → maxpool → conv → gap → dense': model(12, 3, [
    { kind: 'conv1d', filters: 5, kernel: 3, stride: 1, padding: 'same', activation: 'none' },
    { kind: 'relu' },
    { kind: 'maxpool1d', pool: 2, stride: 2 },
    { kind: 'conv1d', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'globalavgpool' },
    { kind: 'dense', units: 3, activation: 'none' },
  ]),
  'conv → batchnorm → avgpool → pointwise → gap → dense': model(
    10,
    2,
    [
      { kind: 'conv1d', filters: 4, kernel: 3, stride: 1, padding: 'valid', activation: 'none' },
      { kind: 'batchnorm' },
      { kind: 'avgpool1d', pool: 2, stride: 2 },
      { kind: 'pointwise1d', filters: 3, activation: 'relu6' },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 1, activation: 'none' },
    ],
    'sigmoid',
  ),
  'pointwise → depthwise → pointwise → gap → dense': model(9, 3, [
    { kind: 'pointwise1d', filters: 5, activation: 'relu' },
    { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu6' },
    { kind: 'pointwise1d', filters: 4, activation: 'relu' },
    { kind: 'globalavgpool' },
    { kind: 'dense', units: 2, activation: 'none' },
  ]),
  'conv → depthwise → batchnorm → conv → gap → dense': model(11, 2, [
    { kind: 'conv1d', filters: 4, kernel: 2, stride: 1, padding: 'same', activation: 'relu6' },
    { kind: 'depthwise1d', kernel: 3, stride: 1, padding: 'valid', activation: 'none' },
    { kind: 'batchnorm' },
    { kind: 'conv1d', filters: 3, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    { kind: 'globalavgpool' },
    { kind: 'dense', units: 2, activation: 'none' },
  ]),
  'conv → flatten-dense → dense': model(8, 2, [
    { kind: 'conv1d', filters: 4, kernel: 3, stride: 2, padding: 'valid', activation: 'relu' },
    { kind: 'dense', units: 5, activation: 'relu' },
    { kind: 'dense', units: 3, activation: 'none' },
  ]),
  'dense → batchnorm → relu → dense': model(4, 2, [
    { kind: 'dense', units: 5, activation: 'none' },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'dense', units: 2, activation: 'none' },
  ]),
  'conv → gru → dense': model(7, 2, [
    { kind: 'conv1d', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'gru', units: 3, returnSequences: false },
    { kind: 'dense', units: 2, activation: 'none' },
  ]),
  'conv → maxpool → gru (sequences) → gap → dense': model(
    8,
    2,
    [
      { kind: 'conv1d', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      { kind: 'gru', units: 2, returnSequences: true },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 1, activation: 'none' },
    ],
    'sigmoid',
  ),
};

/** Every parameter uniform in [−1, 1) (biases and batchnorm β included, so nothing is accidentally zero). */
function randomWeights(ir: ModelIR, seed: number): number[][] {
  const random = new Random(seed);
  const inputs = inputShapes(ir);
  return ir.layers.map((layer, i) => Array.from({ length: paramCount(layer, inputs[i]) }, () => 2 * random.next() - 1));
}

function randomSamples(ir: ModelIR, count: number, seed: number): Float64Array[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: ir.input.length * ir.input.channels }, () => 4 * random.next() - 2));
}

function outputs(ir: ModelIR, weights: number[][], samples: Float64Array[]): number[][] {
  const network = new Network(ir);
  network.importWeights(weights);
  return samples.map((sample) => Array.from(network.forward(sample)));
}

function totalParams(ir: ModelIR): number {
  const inputs = inputShapes(ir);
  return ir.layers.reduce((sum, layer, i) => sum + paramCount(layer, inputs[i]), 0);
}

function channelsOf(layer: Layer): number {
  if (layer.kind === 'dense') return layer.units;
  if (layer.kind === 'conv1d' || layer.kind === 'pointwise1d') return layer.filters;
  throw new Error(`${layer.kind} is not a producer`);
}

/**
 * Makes channel `channel` of producer `layerIndex` output exactly 0 everywhere downstream, written independently of
 * prune.ts from params.ts's layout: the producer's filter and bias, then β of any batchnorm and the bias of any
 * depthwise on the way to the first weighted consumer.
 */
function silence(ir: ModelIR, weights: number[][], layerIndex: number, channel: number): number[][] {
  const result = weights.map((w) => [...w]);
  const inputs = inputShapes(ir);
  const producer = ir.layers[layerIndex];
  const channels = channelsOf(producer);
  for (const tensor of paramLayout(producer, inputs[layerIndex])) {
    // weights [..][channels] and bias [channels]: every element whose last index is `channel`.
    for (let e = 0; e < elementCount(tensor.shape); e++) if (e % channels === channel) result[layerIndex][tensor.offset + e] = 0;
  }
  for (let i = layerIndex + 1; i < ir.layers.length; i++) {
    const layer = ir.layers[i];
    if (layer.kind === 'batchnorm') result[i][channels + channel] = 0;
    else if (layer.kind === 'depthwise1d') result[i][paramLayout(layer, inputs[i])[1].offset + channel] = 0;
    else if (layer.kind === 'conv1d' || layer.kind === 'pointwise1d' || layer.kind === 'dense' || layer.kind === 'gru') break;
  }
  return result;
}

function expectClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, s) => {
    expect(row.length).toBe(expected[s].length);
    row.forEach((v, j) => expect(Math.abs(v - expected[s][j])).toBeLessThanOrEqual(tolerance));
  });
}

describe('removeChannel: a silenced channel removes without changing the function', () => {
  for (const [name, ir] of Object.entries(FAMILIES)) {
    it(name, () => {
      const samples = randomSamples(ir, 4, 7);
      const layers = prunableLayers(ir);
      expect(layers.length).toBeGreaterThan(0);
      layers.forEach((layerIndex, n) => {
        const channels = channelsOf(ir.layers[layerIndex]);
        for (const channel of [0, channels - 1, (n + 1) % channels]) {
          const weights = silence(ir, randomWeights(ir, 100 + layerIndex * 10 + channel), layerIndex, channel);
          const before = outputs(ir, weights, samples);
          const pruned = removeChannel(ir, weights, layerIndex, channel);
          expectClose(outputs(pruned.ir, pruned.weights, samples), before, 1e-12);
        }
      });
    });
  }

  it('the check has teeth: removing a live channel changes the output', () => {
    const ir = FAMILIES['conv → relu → maxpool → conv → gap → dense'];
    const weights = randomWeights(ir, 5);
    const samples = randomSamples(ir, 3, 9);
    const pruned = removeChannel(ir, weights, 0, 2);
    const before = outputs(ir, weights, samples);
    const difference = Math.max(...outputs(pruned.ir, pruned.weights, samples).flatMap((row, s) => row.map((v, j) => Math.abs(v - before[s][j]))));
    expect(difference).toBeGreaterThan(1e-6);
  });
});

describe('removeChannel: shapes and layout', () => {
  for (const [name, ir] of Object.entries(FAMILIES)) {
    it(name, () => {
      for (const layerIndex of prunableLayers(ir)) {
        const weights = randomWeights(ir, 3);
        const irBefore = JSON.stringify(ir);
        const weightsBefore = JSON.stringify(weights);
        const channels = channelsOf(ir.layers[layerIndex]);
        const channel = Math.floor(channels / 2);
        const pruned = removeChannel(ir, weights, layerIndex, channel);

        // Inputs untouched.
        expect(JSON.stringify(ir)).toBe(irBefore);
        expect(JSON.stringify(weights)).toBe(weightsBefore);

        // Only the producer's channel count changes; the new IR is legal and every array has its paramCount.
        expect(() => validateIR(pruned.ir)).not.toThrow();
        expect(channelsOf(pruned.ir.layers[layerIndex])).toBe(channels - 1);
        pruned.ir.layers.forEach((layer, i) => {
          if (i !== layerIndex) expect(layer).toEqual(ir.layers[i]);
        });
        const inputs = inputShapes(pruned.ir);
        pruned.ir.layers.forEach((layer, i) => expect(pruned.weights[i].length).toBe(paramCount(layer, inputs[i])));
        expect(totalParams(pruned.ir)).toBe(pruned.weights.reduce((n, w) => n + w.length, 0));

        // Every layer's new array is its old one with some elements deleted, in order (nothing invented or moved).
        pruned.weights.forEach((after, i) => {
          let j = 0;
          for (const v of after) {
            while (j < weights[i].length && weights[i][j] !== v) j++;
            expect(j).toBeLessThan(weights[i].length);
            j++;
          }
        });

        // The producer's removed elements are exactly its filter `channel` and bias entry.
        const removed = weights[layerIndex].filter((_, e) => e % channels === channel);
        expect(weights[layerIndex].length - pruned.weights[layerIndex].length).toBe(removed.length);
        for (const v of removed) expect(pruned.weights[layerIndex]).not.toContain(v);
      }
    });
  }

  it('dense consumer after a flatten loses rows t·C + c for every t', () => {
    const ir = FAMILIES['conv → flatten-dense → dense'];
    // conv output [3, 4] → dense 5: weights [12][5]; removing conv channel 1 drops rows 1, 5, 9.
    const weights = randomWeights(ir, 1);
    const pruned = removeChannel(ir, weights, 0, 1);
    const units = 5;
    const keptRows = [0, 2, 3, 4, 6, 7, 8, 10, 11];
    const expected = [...keptRows.flatMap((row) => weights[1].slice(row * units, (row + 1) * units)), ...weights[1].slice(12 * units)];
    expect(pruned.weights[1]).toEqual(expected);
  });

  it('refuses the logits, a last channel, non-producers and bad arguments', () => {
    const ir = FAMILIES['conv → relu → maxpool → conv → gap → dense'];
    const weights = randomWeights(ir, 2);
    expect(() => removeChannel(ir, weights, 5, 0)).toThrow(/logits/);
    expect(() => removeChannel(ir, weights, 1, 0)).toThrow(InvalidModelError);
    expect(() => removeChannel(ir, weights, 0, 5)).toThrow(RangeError);
    expect(() => removeChannel(ir, weights, 9, 0)).toThrow(RangeError);
    expect(() => removeChannel(ir, weights.slice(1), 0, 0)).toThrow(RangeError);
    expect(() => removeChannel(ir, [weights[0].slice(1), ...weights.slice(1)], 0, 0)).toThrow(RangeError);

    // A conv whose channels reach the output through global average pooling makes logits.
    const convHead = model(6, 2, [
      { kind: 'conv1d', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'conv1d', filters: 2, kernel: 3, stride: 1, padding: 'same', activation: 'none' },
      { kind: 'globalavgpool' },
    ]);
    expect(prunableLayers(convHead)).toEqual([0]);
    expect(() => removeChannel(convHead, randomWeights(convHead, 1), 1, 0)).toThrow(/logits/);

    const single = model(6, 2, [
      { kind: 'conv1d', filters: 1, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 2, activation: 'none' },
    ]);
    expect(() => removeChannel(single, randomWeights(single, 1), 0, 0)).toThrow(/last channel/);
  });
});

describe('channelImportance', () => {
  it('is the mean |w| of each filter, for prunable layers only, ordered by layer then channel', () => {
    const ir = FAMILIES['conv → flatten-dense → dense'];
    const weights = randomWeights(ir, 4);
    const importance = channelImportance(ir, weights);
    expect(importance.map(({ layer, channel }) => [layer, channel])).toEqual([...[0, 1, 2, 3].map((c) => [0, c]), ...[0, 1, 2, 3, 4].map((c) => [1, c])]);
    // conv [3][2][4]: channel 2's filter is elements 2, 6, ..., 22 (6 of them).
    const conv = Array.from({ length: 6 }, (_, r) => Math.abs(weights[0][r * 4 + 2]));
    expect(importance[2].importance).toBeCloseTo(conv.reduce((a, b) => a + b) / 6, 15);
    // dense [12][5]: unit 3 is column 3 of 12 rows.
    const dense = Array.from({ length: 12 }, (_, r) => Math.abs(weights[1][r * 5 + 3]));
    expect(importance[4 + 3].importance).toBeCloseTo(dense.reduce((a, b) => a + b) / 12, 15);
  });
});

describe('pruneToFit on the reference CNN', () => {
  const ir = referenceCnn();
  const total = totalParams(ir); // 496 + 2592 + 33
  /** conv2 (layer 2) filters 11, 3 and 7 made nearly dead, in that order of importance. */
  const weights = (() => {
    const w = randomWeights(ir, 11);
    const scale: Record<number, number> = { 11: 1e-3, 3: 2e-3, 7: 3e-3 };
    // conv2 weights [5][16][32]: element e belongs to filter e % 32.
    for (let e = 0; e < 5 * 16 * 32; e++) if (scale[e % 32] !== undefined) w[2][e] *= scale[e % 32];
    return w;
  })();
  const atMost = (limit: number) => (candidate: ModelIR) => totalParams(candidate) <= limit;

  it('removes nothing when the model already fits', () => {
    const result = pruneToFit(ir, weights, atMost(total));
    expect(result.removed).toEqual([]);
    expect(result.ir).toEqual(ir);
    expect(result.weights).toEqual(weights);
  });

  it('removes the least important channels first, with indices of the network at that time', () => {
    expect(total).toBe(3121);
    // One conv2 filter with 16 conv1 channels: 5·16 weights + 1 bias + 1 dense row = 82 parameters.
    const three = pruneToFit(ir, weights, atMost(total - 3 * 82));
    expect(three.removed.map(({ layer, channel }) => ({ layer, channel }))).toEqual([
      { layer: 2, channel: 11 },
      { layer: 2, channel: 3 },
      { layer: 2, channel: 6 }, // filter 7, one place down after filter 3 went
    ]);
    expect(three.ir.layers[2]).toMatchObject({ filters: 29 });
    expect(totalParams(three.ir)).toBe(total - 3 * 82);

    // One parameter fewer needs a fourth removal: the least important of what is left, after recomputation.
    const four = pruneToFit(ir, weights, atMost(total - 3 * 82 - 1));
    expect(four.removed.slice(0, 3)).toEqual(three.removed);
    expect(four.removed).toHaveLength(4);
    const left = channelImportance(three.ir, three.weights);
    const least = left.reduce((a, b) => (b.importance < a.importance ? b : a));
    expect(four.removed[3]).toEqual(least);
    expect(four.removed[3].importance).toBeGreaterThan(three.removed[2].importance);
  });

  it('is deterministic and never touches the logits layer', () => {
    const limit = Math.floor(total / 3);
    const a = pruneToFit(ir, weights, atMost(limit));
    const b = pruneToFit(ir, weights, atMost(limit));
    expect(a).toEqual(b);
    expect(totalParams(a.ir)).toBeLessThanOrEqual(limit);
    expect(a.removed.every(({ layer }) => layer === 0 || layer === 2)).toBe(true);
    expect(a.ir.layers[4]).toEqual(ir.layers[4]);
    expect(a.ir.head).toBe('sigmoid');
    expect(() => validateIR(a.ir)).not.toThrow();
    expect(() => outputs(a.ir, a.weights, randomSamples(a.ir, 1, 1))).not.toThrow();
    // Greedy stops at the first fit: one removal fewer did not fit.
    const shorter = a.removed.slice(0, -1).reduce((m, r) => removeChannel(m.ir, m.weights, r.layer, r.channel), { ir, weights });
    expect(totalParams(shorter.ir)).toBeGreaterThan(limit);
  });

  it('breaks ties by lowest layer, then lowest channel', () => {
    const flat = randomWeights(ir, 1).map((w) => w.map(() => 0.5));
    const result = pruneToFit(ir, flat, atMost(total - 1), {});
    expect(result.removed).toEqual([{ layer: 0, channel: 0, importance: 0.5 }]);
  });

  it('fits a memory budget through estimateMemory', () => {
    const board: { memory: BoardMemory } = {
      memory: { sramBytes: 65536, flashBytes: 262144, reserveSramBytes: 2048, stackBytes: 4096, runtimeCodeBytes: 10000, runtimeRamBytes: 0 },
    };
    const full = estimateMemory(ir, board);
    const budget = { ...defaultBudget(board), flashBytes: full.flash.total - 1000 };
    const fits = (candidate: ModelIR) => fitsBudget(estimateMemory(candidate, board, budget), budget);
    expect(fits(ir)).toBe(false);
    const result = pruneToFit(ir, weights, fits);
    expect(fits(result.ir)).toBe(true);
    expect(result.removed.length).toBeGreaterThan(0);
  });

  it('throws a clear UserError when nothing prunable is left', () => {
    let error: unknown;
    let calls = 0;
    try {
      pruneToFit(ir, weights, () => {
        calls++;
        return false;
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^cannot prune the model to fit: every prunable layer \(0: conv1d, 2: conv1d\) is down to one channel, after removing 46 channels$/,
    );
    expect(calls).toBe(47);

    const dense = model(4, 2, [{ kind: 'dense', units: 2, activation: 'none' }]);
    expect(() => pruneToFit(dense, randomWeights(dense, 1), () => false)).toThrow(/^cannot prune the model to fit: it has no prunable layer/);
    expect(() => pruneToFit(ir, weights, () => false, { maxSteps: 2 })).toThrow(
      /^cannot prune the model to fit: it still does not fit after the maximum of 2 channel removals$/,
    );
  });
});
