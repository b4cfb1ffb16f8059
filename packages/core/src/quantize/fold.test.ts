import { describe, expect, it } from 'vitest';
import type { ModelIR } from '../model/ir';
import { lowerToOps } from '../model/ops';
import { Network } from '../train/network';
import { FloatOps } from './float-ops';
import { foldedOpParams } from './fold';
import { cascadeWeights } from './model-weights';
import { TEST_MODELS, testWeights, testWindows } from '../../testing/quantize/test-models';

describe('batch-norm folding and the float op list', () => {
  it('hand case: γ scales its channel of the weights and the bias, β adds to the bias, two batch-norms in a row', () => {
    const ir: ModelIR = {
      input: { length: 1, channels: 2 },
      layers: [
        { kind: 'pointwise1d', filters: 2, activation: 'none' },
        { kind: 'batchnorm' },
        { kind: 'batchnorm' },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      head: 'sigmoid',
    };
    // W [c][f] = [[1, 2], [3, 4]], b = [10, 20]; BN1 γ = [2, 3], β = [1, 1]; BN2 γ = [1, −1], β = [0, 5].
    const weights = [
      [1, 2, 3, 4, 10, 20],
      [2, 3, 1, 1],
      [1, -1, 0, 5],
      [1, 1, 0],
    ];
    const [pointwise] = foldedOpParams(lowerToOps(ir), cascadeWeights(ir, weights));
    // f0: ×2 then ×1: W [2, 6], b 2·10 + 1 = 21. f1: ×3 then ×−1: W [−6, −12], b −(3·20 + 1) + 5 = −56.
    expect(Array.from(pointwise)).toEqual([2, -6, 6, -12, 21, -56]);
  });

  it('the folded, fused op list computes what the training network computes', () => {
    for (const name of ['cnn', 'dense', 'gru'] as const) {
      const ir = TEST_MODELS[name];
      const weights = testWeights(ir, 7);
      const ops = lowerToOps(ir);
      const float = new FloatOps(ops, foldedOpParams(ops, cascadeWeights(ir, weights)));
      const network = new Network(ir);
      network.importWeights(weights);
      for (const window of testWindows(ir, 5, 3)) {
        const expected = Array.from(network.forward(window));
        const tensors = float.run(window);
        const got = Array.from(tensors[tensors.length - 1]);
        expect(got.length).toBe(expected.length);
        got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-12));
      }
    }
  });

  it('refuses weights that do not fit the IR', () => {
    const ir = TEST_MODELS.dense;
    const weights = testWeights(ir, 1);
    expect(() => cascadeWeights(ir, weights.slice(1))).toThrow(/weights for 5 layers, it has 6/);
    expect(() => cascadeWeights(ir, [[1], ...weights.slice(1)])).toThrow(/layer 0 \(conv1d\): 1 parameters, expected 78/);
    expect(() => cascadeWeights(TEST_MODELS.cascade, { backbone: testWeights(TEST_MODELS.cascade, 1), exits: [] })).toThrow(
      /weights for 0 exits, the model has 2/,
    );
  });
});
