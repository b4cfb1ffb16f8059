import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Activation, Conv1dLayer, Padding } from '../../model/ir';
import { conv1dInt8 } from './conv1d';
import { windowGeometry } from '../../../testing/quantize/kernel-geometry';
import { linearCaseError } from '../../../testing/quantize/kernel-cases';

// ×1 as {2^30, 1}: a multiplier that keeps accumulators as they are, for hand-checkable cases.
const UNIT = { multiplier: [1 << 30], shift: [1] };

describe('conv1dInt8', () => {
  it('hand case: same padding skips the padded taps (they hold the zero point), stride 1', () => {
    // x − z = [0, 1, 2, 3] (z = 1), kernel [1, 0, −1], one tap of padding on each side.
    const output = new Int8Array(4);
    const requant = { inputZeroPoint: 1, outputZeroPoint: 0, actMin: -128, actMax: 127, ...UNIT };
    conv1dInt8([1, 2, 3, 4], [1, 0, -1], [0], requant, windowGeometry(4, 1, 3, 1, 'same'), 1, output);
    expect(Array.from(output)).toEqual([-1, -2, -2, 2]);
  });

  it('hand case: two channels, two filters, stride 2 valid, bias, output zero point, ReLU clamp at it', () => {
    // x [t][c] = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], z = 0; W [k=2][c=2][f=2]: filter 0 sums, filter 1 = −(c0 at tap 0).
    const weights = [1, -1, 1, 0, 1, 0, 1, 0];
    const requant = { inputZeroPoint: 0, outputZeroPoint: -5, actMin: -5, actMax: 127, multiplier: [1 << 30, 1 << 30], shift: [1, 1] };
    const output = new Int8Array(4);
    conv1dInt8([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], weights, [1, 2], requant, windowGeometry(5, 2, 2, 2, 'valid'), 2, output);
    // t = 0 reads steps 0, 1: filter 0: 1 + 1+2+3+4 = 11 → 6; filter 1: 2 − 1 = 1 → −4. t = 1 reads 2, 3: 1 + 26 = 27 → 22; 2 − 5 → −3 → −8 → clamp −5.
    expect(Array.from(output)).toEqual([6, -4, 22, -5]);
  });

  it('is within one output step of the float conv (dequantised weights) on 300 random geometries', () => {
    const random = new Random(21);
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const length = 1 + random.int(16);
      const channels = 1 + random.int(5);
      const padding: Padding = random.int(2) ? 'same' : 'valid';
      const kernel = 1 + random.int(padding === 'valid' ? length : 6);
      const layer: Conv1dLayer = {
        kind: 'conv1d',
        filters: 1 + random.int(6),
        kernel,
        stride: 1 + random.int(3),
        padding,
        activation: random.pick<Activation>(['none', 'relu', 'relu6']),
      };
      const geometry = windowGeometry(length, channels, layer.kernel, layer.stride, padding);
      worst = Math.max(
        worst,
        linearCaseError(random, layer, [length, channels], (input, op, output) =>
          conv1dInt8(input, op.weights, op.bias, op.requant, geometry, layer.filters, output),
        ),
      );
    }
    expect(worst).toBeLessThanOrEqual(1 + 1e-6);
    expect(worst).toBeGreaterThan(0.4);
  });
});
