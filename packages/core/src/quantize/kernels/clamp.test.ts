import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import { activationBounds } from '../linear-quant';
import { clampInt8 } from './clamp';
import { dequantize, errorInSteps, floatForward, randomInt8, randomQuant } from '../../../testing/quantize/kernel-cases';

describe('clampInt8 (a standalone ReLU / ReLU6)', () => {
  it('hand case: ReLU clamps at the zero point, ReLU6 at round(6/s) steps above it', () => {
    const quant = { scale: 0.1, zeroPoint: -20 };
    const relu6 = activationBounds('relu6', quant);
    expect(relu6).toEqual({ actMin: -20, actMax: 40 });
    const output = new Int8Array(4);
    clampInt8([-128, -20, 39, 127], 4, -20, -20, relu6.actMin, relu6.actMax, output);
    expect(Array.from(output)).toEqual([-20, -20, 39, 40]);
    clampInt8([-128, -20, 39, 127], 4, -20, -20, -20, 127, output);
    expect(Array.from(output)).toEqual([-20, -20, 39, 127]);
  });

  it('matches the float ReLU exactly and ReLU6 within half a step, on random quantisations', () => {
    const random = new Random(26);
    let worstRelu = 0;
    let worstRelu6 = 0;
    for (let i = 0; i < 200; i++) {
      const quant = randomQuant(random);
      const input = randomInt8(random, 64);
      const x = dequantize(input, quant);
      for (const kind of ['relu', 'relu6'] as const) {
        const { actMin, actMax } = activationBounds(kind, quant);
        const output = new Int8Array(64);
        clampInt8(input, 64, quant.zeroPoint, quant.zeroPoint, actMin, actMax, output);
        const error = errorInSteps(output, quant, floatForward({ kind }, [64, 1], [], x), -128, 127);
        if (kind === 'relu') worstRelu = Math.max(worstRelu, error);
        else worstRelu6 = Math.max(worstRelu6, error);
      }
    }
    expect(worstRelu).toBeLessThan(1e-9);
    expect(worstRelu6).toBeLessThanOrEqual(0.5 + 1e-9);
  });
});
