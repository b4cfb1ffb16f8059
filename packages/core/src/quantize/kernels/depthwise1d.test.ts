import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Activation, DepthwiseConv1dLayer, Padding } from '../../model/ir';
import { depthwise1dInt8 } from './depthwise1d';
import { windowGeometry } from '../../../testing/quantize/kernel-geometry';
import { linearCaseError } from '../../../testing/quantize/kernel-cases';

describe('depthwise1dInt8', () => {
  it('hand case: each channel its own kernel, same padding with stride 2, per-channel multipliers', () => {
    // x [t][c] = [[1, −1], [2, −2], [3, −3]], z = −1 → x − z = [[2, 0], [3, −1], [4, −2]]; W [k=3][c=2] = [[1, 1], [1, 0], [1, −1]].
    // same, stride 2, length 3: 2 outputs, total padding 2 → one tap before, one after.
    // t = 0 reads pad, step 0, step 1: c0 2·1 + 3·1 = 5, c1 0·0 + (−1)(−1) = 1. t = 1 reads steps 1, 2, pad: c0 3 + 4 = 7,
    // c1 (−1)·1 + (−2)·0 = −1.
    const output = new Int8Array(4);
    const requant = { inputZeroPoint: -1, outputZeroPoint: 0, actMin: -128, actMax: 127, multiplier: [1 << 30, 1 << 30], shift: [1, 2] };
    depthwise1dInt8([1, -1, 2, -2, 3, -3], [1, 1, 1, 0, 1, -1], [0, 0], requant, windowGeometry(3, 2, 3, 2, 'same'), output);
    expect(Array.from(output)).toEqual([5, 2, 7, -2]); // channel 1 is ×2
  });

  it('is within one output step of the float depthwise conv on 300 random geometries', () => {
    const random = new Random(22);
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const length = 1 + random.int(16);
      const channels = 1 + random.int(6);
      const padding: Padding = random.int(2) ? 'same' : 'valid';
      const layer: DepthwiseConv1dLayer = {
        kind: 'depthwise1d',
        kernel: 1 + random.int(padding === 'valid' ? length : 6),
        stride: 1 + random.int(3),
        padding,
        activation: random.pick<Activation>(['none', 'relu', 'relu6']),
      };
      const geometry = windowGeometry(length, channels, layer.kernel, layer.stride, padding);
      worst = Math.max(
        worst,
        linearCaseError(random, layer, [length, channels], (input, op, output) => depthwise1dInt8(input, op.weights, op.bias, op.requant, geometry, output)),
      );
    }
    expect(worst).toBeLessThanOrEqual(1 + 1e-6);
    expect(worst).toBeGreaterThan(0.4);
  });
});
