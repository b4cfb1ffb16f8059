import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { GruLayer } from '../../model/ir';
import { tanhQ15 } from '../fixed-point-activations';
import { quantizeGru } from '../gru-quant';
import { roundingDivideByPOT } from '../requantize';
import { chooseActivationQuant } from '../tensor-quant';
import { gruInt8, roundedQ15Product } from './gru';
import { dequantize, errorInSteps, floatForward, randomFloats, randomInt8, randomQuant, valueRange } from '../../../testing/quantize/kernel-cases';

const UNIT = 1 << 30; // with shift 1: ×1

describe('gruInt8', () => {
  it('hand case: one unit, one step, only biases: h = (1 − σ(0))·tanh(1) = 0.381, output in steps of 1/128', () => {
    // gates[0] = b_in = [z 0, r 0, h 4096 (1.0 in Q12)], gates[1] = b_rec = 0; all requantisations ×1.
    const requant = {
      inputZeroPoint: 0,
      outputZeroPoint: 0,
      actMin: -128,
      actMax: 127,
      kernelMultiplier: [UNIT, UNIT, UNIT],
      kernelShift: [1, 1, 1],
      recurrentMultiplier: [UNIT, UNIT, UNIT],
      recurrentShift: [1, 1, 1],
      outputMultiplier: 1 << 30, // 2^−15 / (1/128) = 2^−8 = 2^30 · 2^(−7 − 31)
      outputShift: -7,
    };
    const state = new Int16Array(1);
    const output = new Int8Array(1);
    gruInt8(
      [0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 4096, 0, 0, 0],
      requant,
      { steps: 1, inChannels: 1, units: 1, returnSequences: false },
      state,
      new Int32Array(6),
      output,
    );
    expect(state[0]).toBe(roundingDivideByPOT(16384 * tanhQ15(4096), 15));
    expect(Math.abs(state[0] / 32768 - 0.5 * Math.tanh(1))).toBeLessThan(3 / 32768);
    expect(output[0]).toBe(49); // 0.3808 · 128 = 48.7
  });

  it('rounds r·H / 2^15 half away from zero', () => {
    expect([roundedQ15Product(16384, 3), roundedQ15Product(16384, -3), roundedQ15Product(32767, -(2 ** 31))]).toEqual([2, -2, -2147418112]);
  });

  it('refuses more units than its int32 recurrent accumulator allows', () => {
    const units = 513; // 512 · 32767 · 128 < 2^31 still fits
    const requant = {
      inputZeroPoint: 0,
      outputZeroPoint: 0,
      actMin: -128,
      actMax: 127,
      kernelMultiplier: [],
      kernelShift: [],
      recurrentMultiplier: [],
      recurrentShift: [],
      outputMultiplier: 0,
      outputShift: 0,
    };
    const shape = { steps: 1, inChannels: 1, units, returnSequences: false };
    expect(() =>
      gruInt8([0], [], [], new Array(6 * units).fill(0), requant, shape, new Int16Array(units), new Int32Array(6 * units), new Int8Array(units)),
    ).toThrow(/at most 512 units/);
  });

  it('tracks the float GRU (dequantised weights) within one output step + 2^−11 over 120 random GRUs, sequences included', () => {
    // The absolute term is the fixed-point state and tables (Q0.15, ≤ 4 units per activation, over up to 24 steps);
    // it only shows against an output scale far below 2^−15, which one of these random GRUs has.
    const random = new Random(27);
    let worstExcess = -Infinity;
    let worstOrdinary = 0;
    for (let i = 0; i < 120; i++) {
      const steps = 1 + random.int(24);
      const inChannels = 1 + random.int(6);
      const units = 1 + random.int(10);
      const layer: GruLayer = { kind: 'gru', units, returnSequences: random.int(2) === 0 };
      const g = 3 * units;
      const params = [...randomFloats(random, inChannels * g, 0.6), ...randomFloats(random, units * g, 0.6), ...randomFloats(random, 2 * g, 0.5)];
      const inputQuant = randomQuant(random);
      const input = randomInt8(random, steps * inChannels);
      const x = dequantize(input, inputQuant);
      const range = valueRange(floatForward(layer, [steps, inChannels], params, x));
      const outputQuant = chooseActivationQuant(range.min, range.max);
      const quantized = quantizeGru(params, inChannels, units, inputQuant, outputQuant);
      const kernelValues = quantized.weights.slice(0, inChannels * g);
      const recurrentValues = quantized.weights.slice(inChannels * g);
      const dequantizedParams = [
        ...kernelValues.map((w, k) => w * quantized.kernelScales[k % g]),
        ...recurrentValues.map((w, k) => w * quantized.recurrentScales[k % g]),
        ...quantized.bias.slice(0, g).map((b, k) => b * inputQuant.scale * quantized.kernelScales[k]),
        ...quantized.bias.slice(g).map((b, k) => (b * quantized.recurrentScales[k]) / 32768),
      ];
      const reference = floatForward(layer, [steps, inChannels], dequantizedParams, x);
      const output = new Int8Array(reference.length);
      gruInt8(
        input,
        kernelValues,
        recurrentValues,
        quantized.bias,
        quantized.requant,
        { steps, inChannels, units, returnSequences: layer.returnSequences },
        new Int16Array(units),
        new Int32Array(2 * g),
        output,
      );
      const error = errorInSteps(output, outputQuant, reference);
      worstExcess = Math.max(worstExcess, (error - 1) * outputQuant.scale);
      if (outputQuant.scale >= 2 ** -10) worstOrdinary = Math.max(worstOrdinary, error);
    }
    expect(worstExcess).toBeLessThanOrEqual(2 ** -11);
    expect(worstExcess).toBeGreaterThan(0); // the tiny-scale case is in the sample
    // With an ordinary output scale (≥ 2^−10) the fixed-point internals are invisible: within 0.75 steps.
    expect(worstOrdinary).toBeLessThanOrEqual(0.75);
  });
});
