import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Activation, DenseLayer } from '../../model/ir';
import { denseInt8 } from './dense';
import { linearCaseError } from '../../../testing/quantize/kernel-cases';

describe('denseInt8', () => {
  it('hand case: reads the [T][C] input flattened row-major, weights [T·C][units]', () => {
    // x = [[1, 2], [3, 4]] flattened [1, 2, 3, 4], z = 1 → [0, 1, 2, 3]; unit 0 weights [1, 1, 1, 1], unit 1 [0, 0, 0, −1].
    const output = new Int8Array(2);
    const requant = { inputZeroPoint: 1, outputZeroPoint: 10, actMin: -128, actMax: 127, multiplier: [1 << 30, 1 << 30], shift: [1, 1] };
    denseInt8([1, 2, 3, 4], [1, 0, 1, 0, 1, 0, 1, -1], [100, 0], requant, 4, 2, output);
    expect(Array.from(output)).toEqual([116, 7]); // 100 + 6 + 10; −3 + 10
  });

  it('refuses a bias that could overflow the int32 accumulator', () => {
    const requant = { inputZeroPoint: 0, outputZeroPoint: 0, actMin: -128, actMax: 127, multiplier: [1 << 30], shift: [0] };
    expect(() => denseInt8([0, 0], [1, 1], [2 ** 31 - 1], requant, 2, 1, new Int8Array(1))).toThrow(/overflow the int32 accumulator/);
  });

  it('is within one output step of the float dense layer on 300 random shapes', () => {
    const random = new Random(24);
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const length = 1 + random.int(8);
      const channels = 1 + random.int(8);
      const layer: DenseLayer = { kind: 'dense', units: 1 + random.int(8), activation: random.pick<Activation>(['none', 'relu', 'relu6']) };
      worst = Math.max(
        worst,
        linearCaseError(random, layer, [length, channels], (input, op, output) =>
          denseInt8(input, op.weights, op.bias, op.requant, length * channels, layer.units, output),
        ),
      );
    }
    expect(worst).toBeLessThanOrEqual(1 + 1e-6);
    expect(worst).toBeGreaterThan(0.4);
  });
});
