import { describe, expect, it } from 'vitest';
import { layerMacs, modelCost, summarizeIR } from './cost';
import type { ModelIR } from './ir';
import { paramCount, paramLayout } from './params';
import { referenceCnn } from '../../testing/reference-models';

describe('parameter layout', () => {
  it('is the documented order, with running offsets', () => {
    expect(paramLayout({ kind: 'conv1d', filters: 16, kernel: 5, stride: 1, padding: 'same', activation: 'relu' }, [120, 6])).toEqual([
      { name: 'weights', shape: [5, 6, 16], offset: 0, kind: 'weight' },
      { name: 'bias', shape: [16], offset: 480, kind: 'bias' },
    ]);
    expect(paramLayout({ kind: 'depthwise1d', kernel: 3, stride: 1, padding: 'same', activation: 'relu' }, [50, 8])).toEqual([
      { name: 'weights', shape: [3, 8], offset: 0, kind: 'weight' },
      { name: 'bias', shape: [8], offset: 24, kind: 'bias' },
    ]);
    expect(paramLayout({ kind: 'pointwise1d', filters: 12, activation: 'relu' }, [50, 8])).toEqual([
      { name: 'weights', shape: [8, 12], offset: 0, kind: 'weight' },
      { name: 'bias', shape: [12], offset: 96, kind: 'bias' },
    ]);
    expect(paramLayout({ kind: 'dense', units: 3, activation: 'none' }, [4, 5])).toEqual([
      { name: 'weights', shape: [20, 3], offset: 0, kind: 'weight' },
      { name: 'bias', shape: [3], offset: 60, kind: 'bias' },
    ]);
    expect(paramLayout({ kind: 'batchnorm' }, [10, 7])).toEqual([
      { name: 'gamma', shape: [7], offset: 0, kind: 'scale' },
      { name: 'beta', shape: [7], offset: 7, kind: 'bias' },
    ]);
    expect(paramLayout({ kind: 'gru', units: 8, returnSequences: false }, [20, 4])).toEqual([
      { name: 'kernel', shape: [4, 24], offset: 0, kind: 'weight' },
      { name: 'recurrent', shape: [8, 24], offset: 96, kind: 'weight' },
      { name: 'bias', shape: [2, 24], offset: 288, kind: 'bias' },
    ]);
    for (const layer of [
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      { kind: 'avgpool1d', pool: 2, stride: 2 },
      { kind: 'globalavgpool' },
      { kind: 'relu' },
      { kind: 'relu6' },
    ] as const) {
      expect(paramLayout(layer, [10, 3])).toEqual([]);
    }
  });

  it('counts parameters', () => {
    expect(paramCount({ kind: 'gru', units: 8, returnSequences: false }, [20, 4])).toBe(4 * 24 + 8 * 24 + 48);
    expect(paramCount({ kind: 'conv1d', filters: 32, kernel: 5, stride: 1, padding: 'same', activation: 'relu' }, [60, 16])).toBe(2560 + 32);
  });
});

describe('cost', () => {
  it('of the reference CNN, by hand', () => {
    // 120 × 6 → conv 16 k5 same: 120·5·6·16 = 57,600; maxpool 2 → 60 × 16; conv 32 k5 same: 60·5·16·32 = 153,600;
    // GAP → 1 × 32; dense 2: 32·2 = 64. Parameters: 480 + 16, 2,560 + 32, 64 + 2.
    const cost = modelCost(referenceCnn(2));
    expect(cost.layers.map((l) => l.macs)).toEqual([57_600, 0, 153_600, 0, 64]);
    expect(cost.macs).toBe(211_264);
    expect(cost.layers.map((l) => l.params)).toEqual([496, 0, 2592, 0, 66]);
    expect(cost.params).toBe(3154);
  });

  it('of valid padding, depthwise, pointwise, GRU and dense on a sequence', () => {
    const ir: ModelIR = {
      input: { length: 120, channels: 6 },
      layers: [
        { kind: 'conv1d', filters: 16, kernel: 5, stride: 1, padding: 'valid', activation: 'relu' }, // 116·5·6·16
        { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu' }, // 58·3·16
        { kind: 'pointwise1d', filters: 8, activation: 'relu' }, // 58·16·8
        { kind: 'gru', units: 4, returnSequences: true }, // 58·(3·8·4 + 3·4·4)
        { kind: 'dense', units: 1, activation: 'none' }, // 58·4·1
      ],
      head: 'sigmoid',
    };
    expect(modelCost(ir).layers.map((l) => l.macs)).toEqual([55_680, 2_784, 7_424, 58 * (96 + 48), 232]);
    expect(layerMacs({ kind: 'batchnorm' }, [10, 4], [10, 4])).toBe(0);
  });

  it('summarizes an architecture on one line', () => {
    expect(summarizeIR(referenceCnn(2))).toBe('conv16k5-maxpool2-conv32k5-gap-dense2');
    const ir: ModelIR = {
      input: { length: 60, channels: 3 },
      layers: [
        { kind: 'conv1d', filters: 8, kernel: 3, stride: 2, padding: 'valid', activation: 'none' },
        { kind: 'batchnorm' },
        { kind: 'relu6' },
        { kind: 'pointwise1d', filters: 16, activation: 'relu6' },
        { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu6' },
        { kind: 'avgpool1d', pool: 2, stride: 1 },
        { kind: 'gru', units: 8, returnSequences: true },
        { kind: 'gru', units: 8, returnSequences: false },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      head: 'sigmoid',
    };
    expect(summarizeIR(ir)).toBe('conv8k3s2v-bn-relu6-pw16-dw3s2-avgpool2s1-gru8seq-gru8-dense1');
  });
});
