import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Pool1dLayer } from '../../model/ir';
import { convolvedLength } from '../../model/shapes';
import { avgPool1dInt8, globalAvgPoolInt8, maxPool1dInt8, roundedMean } from './pool';
import { dequantize, errorInSteps, floatForward, randomInt8, randomQuant } from '../../../testing/quantize/kernel-cases';

describe('int8 pooling (raw values: the output keeps the input scale and zero point)', () => {
  it('rounds means half away from zero, as TFLite does', () => {
    expect([roundedMean(3, 2), roundedMean(-3, 2), roundedMean(1, 2), roundedMean(-1, 2), roundedMean(4, 3), roundedMean(-5, 3)]).toEqual([
      2, -2, 1, -1, 1, -2,
    ]);
    expect(roundedMean(-255, 2)).toBe(-128);
    expect(roundedMean(0, 7)).toBe(0);
  });

  it('hand cases: max and average over pool 2 stride 1, global average over time', () => {
    const input = [-128, 5, -127, 6, 100, -7]; // [t][c], 3 steps × 2 channels
    const geometry = { inLength: 3, channels: 2, pool: 2, stride: 1, outLength: 2 };
    const max = new Int8Array(4);
    maxPool1dInt8(input, geometry, max);
    expect(Array.from(max)).toEqual([-127, 6, 100, 6]);
    const average = new Int8Array(4);
    avgPool1dInt8(input, geometry, average);
    expect(Array.from(average)).toEqual([-128, 6, -14, -1]); // −127.5 → −128, 5.5 → 6, −13.5 → −14, −0.5 → −1
  });

  it('global average: odd and even counts', () => {
    const output = new Int8Array(2);
    globalAvgPoolInt8([1, -1, 2, -2], 2, 2, output); // means 1.5, −1.5
    expect(Array.from(output)).toEqual([2, -2]);
    globalAvgPoolInt8([127, -128, 127, -128, 126, -128], 3, 2, output);
    expect(Array.from(output)).toEqual([127, -128]);
  });

  it('match the float pools on dequantised inputs: max exactly, averages within half a step', () => {
    const random = new Random(25);
    let worstMax = 0;
    let worstAverage = 0;
    for (let i = 0; i < 300; i++) {
      const length = 1 + random.int(20);
      const channels = 1 + random.int(5);
      const pool = 1 + random.int(length);
      const stride = 1 + random.int(3);
      const quant = randomQuant(random);
      const input = randomInt8(random, length * channels);
      const x = dequantize(input, quant);
      const geometry = { inLength: length, channels, pool, stride, outLength: convolvedLength(length, pool, stride, 'valid') };
      for (const kind of ['maxpool1d', 'avgpool1d'] as const) {
        const layer: Pool1dLayer = { kind, pool, stride };
        const reference = floatForward(layer, [length, channels], [], x);
        const output = new Int8Array(reference.length);
        (kind === 'maxpool1d' ? maxPool1dInt8 : avgPool1dInt8)(input, geometry, output);
        if (kind === 'maxpool1d') worstMax = Math.max(worstMax, errorInSteps(output, quant, reference));
        else worstAverage = Math.max(worstAverage, errorInSteps(output, quant, reference));
      }
      const reference = floatForward({ kind: 'globalavgpool' }, [length, channels], [], x);
      const output = new Int8Array(channels);
      globalAvgPoolInt8(input, length, channels, output);
      worstAverage = Math.max(worstAverage, errorInSteps(output, quant, reference));
    }
    expect(worstMax).toBeLessThan(1e-9);
    expect(worstAverage).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(worstAverage).toBeGreaterThan(0.3);
  });
});
