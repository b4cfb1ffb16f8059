import { describe, expect, it } from 'vitest';
import { expEvidence } from '../model/evidence';
import type { ModelIR } from '../model/ir';
import { Network } from '../train/network';
import { runQuantized } from './interpreter';
import { errorInSteps } from '../../testing/quantize/kernel-cases';
import { quantizeInput, quantizeModel, withExitThresholds } from './ptq';
import { QUANTIZED_MODEL_FORMAT, QuantizedModel } from './quantized-model';
import { dequantizeValue } from './tensor-quant';
import { Random } from '../common/random';
import { summarizeIR } from '../model/cost';
import { TEST_MODELS, exitAsPlainModel, randomTestIR, testCascadeWeights, testWeights, testWindows } from '../../testing/quantize/test-models';

describe('runQuantized against the float training network', () => {
  for (const name of ['cnn', 'dense', 'gru'] as const) {
    // The mean bound is the random-IR test's (below). Since 4136e0e the cnn's depthwise weights are drawn at the
    // layer's true fans (2.1× the range Keras's fans gave), and this random model's mean error went from ≤ 1.5 to 1.76.
    it(`${name}: held-out windows within 6 output steps (mean ≤ 2)`, () => {
      const ir = TEST_MODELS[name];
      const weights = testWeights(ir, 5);
      const model = quantizeModel(ir, weights, testWindows(ir, 256, 1));
      const network = new Network(ir);
      network.importWeights(weights);
      const output = model.tensors[model.tensors.length - 1];
      let worst = 0;
      let total = 0;
      const windows = testWindows(ir, 48, 2);
      for (const window of windows) {
        const result = runQuantized(model, quantizeInput(model, window));
        expect(result.exitTaken).toBeNull();
        const error = errorInSteps(result.output, output, network.forward(window));
        worst = Math.max(worst, error);
        total += error;
      }
      expect(worst).toBeLessThanOrEqual(6);
      expect(total / windows.length).toBeLessThanOrEqual(2);
    });
  }

  it('40 random IRs of every layer kind: within 8 output steps or 2^−8, mean 2 steps or 2^−9, the same decision on 97 % of windows', () => {
    // On the calibration windows, so that what is measured is rounding, not clipping of unseen ranges. The absolute
    // floor is for outputs whose whole range is narrow next to the rounding noise arriving from upstream (a deep
    // GRU's Q0.15 state, a ReLU head that is nearly always 0): there a step is ~10^−4 and 2^−8 is still far below
    // anything a decision can see.
    const random = new Random(77);
    let agree = 0;
    let windowsSeen = 0;
    for (let i = 0; i < 40; i++) {
      const ir = randomTestIR(random);
      const weights = testWeights(ir, i);
      const windows = testWindows(ir, 96, i + 1);
      const model = quantizeModel(ir, weights, windows);
      const network = new Network(ir);
      network.importWeights(weights);
      const outputQuant = model.tensors[model.tensors.length - 1];
      let worst = 0;
      let total = 0;
      for (const window of windows) {
        const quantized = runQuantized(model, quantizeInput(model, window)).output;
        const expected = network.forward(window);
        const error = errorInSteps(quantized, outputQuant, expected) * outputQuant.scale;
        worst = Math.max(worst, error);
        total += error;
        agree += +(
          decision(
            ir,
            Array.from(quantized, (q) => q - outputQuant.zeroPoint),
          ) === decision(ir, Array.from(expected))
        );
        windowsSeen++;
      }
      const within = (error: number, steps: number, floor: number) => error <= Math.max(steps * outputQuant.scale, floor);
      expect({ model: summarizeIR(ir), worst: within(worst, 8, 2 ** -8), mean: within(total / windows.length, 2, 2 ** -9) }).toEqual({
        model: summarizeIR(ir),
        worst: true,
        mean: true,
      });
    }
    expect(agree / windowsSeen).toBeGreaterThanOrEqual(0.97);
  });

  it.each(['cascade', 'expCascade'] as const)('%s: every exit tracks its float sub-network, and p, u follow the float Beta', (name) => {
    const ir = TEST_MODELS[name];
    const weights = testCascadeWeights(ir, 5);
    const model = quantizeModel(ir, weights, testWindows(ir, 256, 1));
    const networks = [0, 1, 2].map((k) => {
      const plain = k < 2 ? exitAsPlainModel(ir, weights, k) : { ir: { ...ir, exits: [] } as ModelIR, weights: weights.backbone };
      const network = new Network(plain.ir);
      network.importWeights(plain.weights);
      return network;
    });
    let worstSteps = 0;
    let worstP = 0;
    let worstU = 0;
    for (const window of testWindows(ir, 48, 2)) {
      const result = runQuantized(model, quantizeInput(model, window), { runAllExits: true });
      expect(result.exits.map((e) => e.exit)).toEqual([0, 1, 2]);
      result.exits.forEach((evaluation, k) => {
        const row = model.exits[k];
        const output = networks[k].forward(window);
        worstSteps = Math.max(worstSteps, errorInSteps(result.tensors[row.tensor] as Int8Array, model.tensors[row.tensor], output));
        const evidence = ir.evidence === 'exp' ? Array.from(output, expEvidence) : output;
        evaluation.estimate.events.forEach((event, e) => {
          const alpha = evidence[2 * e] + 1;
          const beta = evidence[2 * e + 1] + 1;
          worstP = Math.max(worstP, Math.abs(event.pQ15 / 32768 - alpha / (alpha + beta)));
          worstU = Math.max(worstU, Math.abs(event.uQ15 / 32768 - 2 / (alpha + beta)));
        });
      });
    }
    expect(worstSteps).toBeLessThanOrEqual(6);
    expect(worstP).toBeLessThan(0.02);
    expect(worstU).toBeLessThan(0.02);
  });
});

describe('runQuantized: the cascade decision', () => {
  const ir = TEST_MODELS.cascade;
  const model = quantizeModel(ir, testCascadeWeights(ir, 5), testWindows(ir, 64, 1));
  const input = quantizeInput(model, testWindows(ir, 1, 3)[0]);

  it('stops at the first exit that takes the window and computes nothing after it', () => {
    const atFirst = runQuantized(withExitThresholds(model, [32768, 32768]), input);
    expect(atFirst.exitTaken).toBe(0);
    expect(atFirst.exits.map((e) => e.exit)).toEqual([0]);
    expect(atFirst.tensors.map((t) => t !== null)).toEqual([true, true, true, true, true, false, false, false, false, false, false, false, false]);
    expect(atFirst.output).toBe(atFirst.tensors[4]);
    const atSecond = runQuantized(withExitThresholds(model, [0, 32768]), input);
    expect([atSecond.exitTaken, atSecond.exits.map((e) => e.takes)]).toEqual([1, [false, true]]);
    expect(atSecond.output).toBe(atSecond.tensors[9]);
  });

  it('with an input gate, a rejected window has u = 1 at every exit and so never leaves early; the evidence is the same', () => {
    const always = withExitThresholds(model, [32768, 32768]);
    const passing = runQuantized({ ...always, inputGate: { zero: [0, 0], jitterStep: 0, jitterMax: 1 << 30, zeroSamplesMax: 16 } }, input, {
      runAllExits: true,
    });
    const rejected = runQuantized({ ...always, inputGate: { zero: [0, 0], jitterStep: 0, jitterMax: 0, zeroSamplesMax: 16 } }, input, { runAllExits: true });
    expect(passing.inputGate?.ok).toBe(true);
    expect(passing.exitTaken).toBe(0);
    expect(rejected.inputGate).toMatchObject({ ok: false, zeroSamples: expect.any(Number) as number });
    expect(rejected.exits.map((e) => e.estimate.maxUQ15)).toEqual([32768, 32768, 32768]);
    expect(rejected.exitTaken).toBe(0); // threshold 32768 still takes u = 1 …
    const strict = withExitThresholds(model, [32767, 32767]);
    expect(runQuantized({ ...strict, inputGate: { zero: [0, 0], jitterStep: 0, jitterMax: 0, zeroSamplesMax: 16 } }, input).exitTaken).toBe(2); // … anything below does not
    expect(rejected.tensors.map((t) => Array.from(t!))).toEqual(passing.tensors.map((t) => Array.from(t!)));
    expect(runQuantized(model, input).inputGate).toBeNull();
  });

  it('threshold 0 never exits early: the last exit takes the window', () => {
    const result = runQuantized(model, input);
    expect(result.exitTaken).toBe(2);
    expect(result.exits.map((e) => e.takes)).toEqual([false, false, true]);
    expect(result.tensors.every((t) => t !== null)).toBe(true);
  });

  it('a threshold exactly at the exit’s max u takes it, one below does not', () => {
    const u = runQuantized(model, input).exits[0].estimate.maxUQ15;
    expect(runQuantized(withExitThresholds(model, [u, 0]), input).exitTaken).toBe(0);
    expect(runQuantized(withExitThresholds(model, [u - 1, 0]), input).exitTaken).toBe(2);
  });

  it('runAllExits computes every op and evaluates every exit, reporting the first that takes the window', () => {
    const result = runQuantized(withExitThresholds(model, [32768, 0]), input, { runAllExits: true });
    expect(result.exitTaken).toBe(0);
    expect(result.exits.map((e) => e.takes)).toEqual([true, false, true]);
    expect(result.tensors.every((t) => t !== null)).toBe(true);
    expect(result.output).toBe(result.tensors[4]);
    // The same integers whichever way it runs.
    expect(Array.from(result.tensors[4] as Int8Array)).toEqual(Array.from(runQuantized(model, input).tensors[4] as Int8Array));
  });
});

describe('runQuantized on a hand-built model', () => {
  // One dense op, identity weights, ×1, output zero point −128 with a ReLU clamp: evidence = x − 128, one event.
  const model: QuantizedModel = {
    format: QUANTIZED_MODEL_FORMAT,
    ir: { input: { length: 1, channels: 2 }, layers: [{ kind: 'dense', units: 2, activation: 'relu' }], head: 'evidential', events: 1 },
    header: { input: { zeroPoint: 0, multiplier: 1 << 30, shift: 1 }, output: { zeroPoint: -128, multiplier: 1 << 30, shift: 1 } },
    tensors: [
      { shape: [1, 2], scale: 1, zeroPoint: 0 },
      { shape: [1, 2], scale: 1, zeroPoint: -128 },
    ],
    ops: [
      {
        kind: 'dense',
        index: 0,
        input: 0,
        branch: null,
        exit: 0,
        inputShape: [1, 2],
        outputShape: [1, 2],
        kernel: 1,
        stride: 1,
        padBefore: 0,
        requant: { inputZeroPoint: 0, outputZeroPoint: -128, actMin: -128, actMax: 127, multiplier: [1 << 30, 1 << 30], shift: [1, 1] },
        bias: [0, 0],
        weights: [1, 0, 0, 1],
        weightScales: [1, 1],
      },
    ],
    exits: [{ exit: 0, tensor: 1, evidenceOneQ16: 65536, thresholdQ15: 32768 }],
    calibration: { windows: 0, percentile: null, ranges: [] },
  };

  it('computes the evidence and the fixed-point Beta by hand: a = 127, b = 0, K = 2^16', () => {
    const result = runQuantized(model, Int8Array.from([127, 0]));
    expect(Array.from(result.output)).toEqual([-1, -128]);
    // p = floor(128·2^15 / 129) = floor(32513.98) = 32513, u = ceil(2·2^15 / 129) = ceil(508.03) = 509.
    expect(result.exits[0].estimate.events).toEqual([{ pQ15: 32513, uQ15: 509, present: true }]);
    expect(result.exitTaken).toBe(0);
    expect(dequantizeValue(result.output[0], model.tensors[1])).toBe(127);
  });

  it('refuses an input of the wrong size', () => {
    expect(() => runQuantized(model, new Int8Array(3))).toThrow(/an input of 3 values, the model reads 2/);
  });
});

/** What a prediction decides: the sign of a sigmoid logit, the argmax of softmax logits, which events are present. */
function decision(ir: ModelIR, logits: number[]): string {
  if (ir.head === 'sigmoid') return logits[0] > 0 ? '1' : '0';
  if (ir.head === 'softmax') return String(logits.indexOf(Math.max(...logits)));
  return logits
    .filter((_, i) => i % 2 === 0)
    .map((positive, e) => (positive > logits[2 * e + 1] ? '1' : '0'))
    .join('');
}
