import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Activation, PointwiseConv1dLayer } from '../../model/ir';
import { pointwise1dInt8 } from './pointwise1d';
import { linearCaseError } from '../../../testing/quantize/kernel-cases';

describe('pointwise1dInt8', () => {
  it('hand case: a 1×1 conv is a matrix product per time step; ×0.5 rounds ties up in the high multiply', () => {
    // x − z = [[1, 2], [3, −4]] (z = 0), W [c=2][f=1] = [1, 1], bias 0, ×0.5: [3 → 1.5 → 2, −1 → −0.5 → 0].
    const output = new Int8Array(2);
    const requant = { inputZeroPoint: 0, outputZeroPoint: 0, actMin: -128, actMax: 127, multiplier: [1 << 30], shift: [0] };
    pointwise1dInt8([1, 2, 3, -4], [1, 1], [0], requant, 2, 2, 1, output);
    expect(Array.from(output)).toEqual([2, 0]);
  });

  it('saturates to the clamp when every input is −128 and the multiplier is large', () => {
    const output = new Int8Array(3);
    const requant = { inputZeroPoint: 127, outputZeroPoint: 0, actMin: -128, actMax: 127, multiplier: [2 ** 31 - 1], shift: [30] };
    pointwise1dInt8([-128, -128, -128], [127], [0], requant, 3, 1, 1, output);
    expect(Array.from(output)).toEqual([-128, -128, -128]);
  });

  it('is within one output step of the float pointwise conv on 300 random shapes', () => {
    const random = new Random(23);
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const length = 1 + random.int(12);
      const channels = 1 + random.int(12);
      const layer: PointwiseConv1dLayer = { kind: 'pointwise1d', filters: 1 + random.int(8), activation: random.pick<Activation>(['none', 'relu', 'relu6']) };
      worst = Math.max(
        worst,
        linearCaseError(random, layer, [length, channels], (input, op, output) =>
          pointwise1dInt8(input, op.weights, op.bias, op.requant, length, channels, layer.filters, output),
        ),
      );
    }
    expect(worst).toBeLessThanOrEqual(1 + 1e-6);
    expect(worst).toBeGreaterThan(0.4);
  });
});
