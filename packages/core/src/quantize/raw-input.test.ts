import { describe, expect, it } from 'vitest';
import type { QuantizedModel } from './quantized-model';
import { fixedPointResolution, physicalToRaw, rawInputSpec, rawToInput } from './raw-input';

const model = (scale: number, zeroPoint: number, length: number, channels: number) =>
  ({ tensors: [{ shape: [length, channels], scale, zeroPoint }] }) as unknown as QuantizedModel;

describe('raw sensor input', () => {
  const spec = rawInputSpec(model(0.05, -3, 4, 2), {
    sampleRateHz: 100,
    windowLength: 4,
    hop: 2,
    channels: [
      { name: 'acc_x', unit: 'g', perCount: 32 / 8192 },
      { name: 'temp', unit: 'C' },
    ],
    normalization: { mean: [0.98, 21.5], std: [0.25, 0.7] },
  });

  it('uses the sensor count where the dataset defines it, else a power-of-two fixed point holding mean ± 16 std', () => {
    expect(spec.channels.map((c) => [c.perCount, c.countSource])).toEqual([
      [32 / 8192, 'sensor'],
      [2 ** -9, 'fixed-point'],
    ]);
    expect(fixedPointResolution(21.5, 0.7) * 32767).toBeGreaterThanOrEqual(21.5 + 16 * 0.7);
    expect(fixedPointResolution(21.5, 0.7) * 32767).toBeLessThan(2 * (21.5 + 16 * 0.7));
  });

  it('matches quantising the float z-score to within one step, and exactly away from rounding ties', () => {
    const values = [0.98, 21.5, 1.23, 20.1, -2, 30, 0.5, 22.2];
    const raw = physicalToRaw(spec, values);
    const input = rawToInput(spec, raw);
    const floatInput = Array.from(raw, (count, i) => {
      const c = spec.channels[i % 2];
      const z = (count * c.perCount - c.mean) / c.std;
      return Math.max(-128, Math.min(127, Math.round(z / spec.inputScale) + spec.inputZeroPoint));
    });
    input.forEach((q, i) => expect(Math.abs(q - floatInput[i])).toBeLessThanOrEqual(1));
    // The channel means map to the zero point.
    expect([input[0], input[1]]).toEqual([-3, -3]);
  });

  it('saturates counts at int16 and inputs at int8', () => {
    const raw = physicalToRaw(spec, [1000, -1000, -1000, 1000]);
    expect(Array.from(raw)).toEqual([32767, -32768, -32768, 32767]);
    expect(Array.from(rawToInput(spec, raw))).toEqual([127, -128, -128, 127]);
  });
});
