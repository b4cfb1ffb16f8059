import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { GruLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, type Precision } from '../wasm/arena';
import { createGruKernel } from './gru';

const STEPS = 12;
const CHANNELS = 5;
const UNITS = 7;

function gru(units: number, returnSequences: boolean, shape: Shape, precision?: Precision): LayerKernel {
  const layer: GruLayer = { kind: 'gru', units, returnSequences };
  if (!precision) return createGruKernel(layer, shape);
  const arena = new Arena(precision);
  const kernel = createGruKernel(layer, shape, arena);
  arena.seal();
  return kernel;
}

function uniform(random: Random, n: number, scale: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * random.next() - 1) * scale;
  return out;
}

/** Round to float32 so the float64 kernel and tfjs (float32) start from exactly the same numbers. */
function fround(a: Float64Array): Float64Array {
  return a.map((v) => Math.fround(v));
}

/** Initial weights from the kernel's own init plus non-zero biases, so every parameter block matters. */
function setup(kernel: LayerKernel, seed: number) {
  const random = new Random(seed);
  const params = new Float64Array(kernel.paramCount);
  kernel.init(params, () => random.next());
  const units = kernel.outputShape[1];
  const biasStart = kernel.paramCount - 6 * units;
  params.set(uniform(random, 6 * units, 0.5), biasStart);
  const input = uniform(random, kernel.inputShape[0] * kernel.inputShape[1], 1.5);
  const outputSize = kernel.outputShape[0] * kernel.outputShape[1];
  const cotangent = uniform(random, outputSize, 1);
  return { params: fround(params), input: fround(input), cotangent: fround(cotangent), outputSize };
}

function run(kernel: LayerKernel, params: Float64Array, input: Float64Array, cotangent: Float64Array) {
  const output = new Float64Array(kernel.outputShape[0] * kernel.outputShape[1]);
  kernel.forward(params, input, output, true);
  const grads = new Float64Array(kernel.paramCount);
  const inputGrad = new Float64Array(input.length);
  kernel.backward(params, input, cotangent, grads, inputGrad);
  return { output, grads, inputGrad };
}

function loss(kernel: LayerKernel, params: Float64Array, input: Float64Array, cotangent: Float64Array): number {
  const output = new Float64Array(kernel.outputShape[0] * kernel.outputShape[1]);
  kernel.forward(params, input, output, false);
  let s = 0;
  for (let i = 0; i < output.length; i++) s += output[i] * cotangent[i];
  return s;
}

/**
 * Reference GRU written with tfjs ops (differentiated by tfjs autodiff). tfjs-layers' GRU only implements
 * reset_after = false (it throws on `resetAfter: true`), so the reset-after variant is spelled out here, and the
 * reset-before variant of the same function is checked against `tf.layers.gru` to pin down the weight layout.
 */
function tfGru(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor2D,
  units: number,
  returnSequences: boolean,
  resetAfter: boolean,
): tf.Tensor2D {
  const [steps, channels] = x.shape;
  let h: tf.Tensor = tf.zeros([1, units]);
  const outputs: tf.Tensor[] = [];
  const [biasIn, biasRec] = resetAfter ? tf.split<tf.Tensor2D>(bias, 2, 0) : [bias, bias];
  const [recZR, recH] = tf.split<tf.Tensor2D>(recurrent, [2 * units, units], 1);
  for (let t = 0; t < steps; t++) {
    const xt = tf.slice(x, [t, 0], [1, channels]);
    const [xz, xr, xh] = tf.split<tf.Tensor2D>(tf.add(tf.matMul(xt, kernel), biasIn), 3, 1);
    let z: tf.Tensor;
    let n: tf.Tensor;
    if (resetAfter) {
      const [hz, hr, hh] = tf.split<tf.Tensor2D>(tf.add(tf.matMul(h, recurrent), biasRec), 3, 1);
      z = tf.sigmoid(tf.add(xz, hz));
      const r = tf.sigmoid(tf.add(xr, hr));
      n = tf.tanh(tf.add(xh, tf.mul(r, hh)));
    } else {
      const [hz, hr] = tf.split<tf.Tensor2D>(tf.matMul(h, recZR), 2, 1);
      z = tf.sigmoid(tf.add(xz, hz));
      const r = tf.sigmoid(tf.add(xr, hr));
      n = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), recH)));
    }
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), n));
    outputs.push(h);
  }
  return (returnSequences ? tf.concat(outputs, 0) : h) as tf.Tensor2D;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('GRU kernel shape and init', () => {
  it('has 3u(inC + u + 2) parameters and the Keras output shapes', () => {
    const seq = gru(UNITS, true, [STEPS, CHANNELS]);
    const last = gru(UNITS, false, [STEPS, CHANNELS]);
    expect(seq.paramCount).toBe(3 * UNITS * (CHANNELS + UNITS + 2));
    expect(last.paramCount).toBe(seq.paramCount);
    expect(seq.outputShape).toEqual([STEPS, UNITS]);
    expect(last.outputShape).toEqual([1, UNITS]);
    expect(() => gru(0, true, [STEPS, CHANNELS])).toThrow(RangeError);
  });

  it('initialises deterministically: Glorot-uniform kernel, orthogonal recurrent, zero biases', () => {
    const kernel = gru(UNITS, false, [STEPS, CHANNELS]);
    const draw = (seed: number) => {
      const random = new Random(seed);
      const params = new Float64Array(kernel.paramCount);
      kernel.init(params, () => random.next());
      return params;
    };
    const a = draw(42);
    expect(draw(42)).toEqual(a);
    expect(draw(43)).not.toEqual(a);
    const g = 3 * UNITS;
    const kernelSize = CHANNELS * g;
    const limit = Math.sqrt(6 / (CHANNELS + g));
    const kernelWeights = a.subarray(0, kernelSize);
    expect(maxAbs(kernelWeights)).toBeLessThanOrEqual(limit);
    expect(maxAbs(kernelWeights)).toBeGreaterThan(0.8 * limit);
    // Rows of the [u, 3u] recurrent matrix are orthonormal.
    const recurrent = a.subarray(kernelSize, kernelSize + UNITS * g);
    for (let i = 0; i < UNITS; i++) {
      for (let j = 0; j < UNITS; j++) {
        let dot = 0;
        for (let k = 0; k < g; k++) dot += recurrent[i * g + k] * recurrent[j * g + k];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    expect(maxAbs(a.subarray(kernelSize + UNITS * g))).toBe(0);
  });

  it('still gives an orthonormal recurrent matrix from a degenerate random source', () => {
    const kernel = gru(4, false, [3, 2]);
    const params = new Float64Array(kernel.paramCount);
    kernel.init(params, () => 0.5);
    const g = 12;
    const recurrent = params.subarray(2 * g, 2 * g + 4 * g);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let k = 0; k < g; k++) dot += recurrent[i * g + k] * recurrent[j * g + k];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });
});

describe('tfjs reference', () => {
  it.each([true, false])('reset-before variant equals tf.layers.gru (returnSequences %s): same weight layout', (returnSequences) => {
    const random = new Random(3);
    const g = 3 * UNITS;
    const kernelW = fround(uniform(random, CHANNELS * g, 0.5));
    const recurrentW = fround(uniform(random, UNITS * g, 0.5));
    const biasW = fround(uniform(random, g, 0.5));
    const input = fround(uniform(random, STEPS * CHANNELS, 1.5));
    const layer = tf.layers.gru({ units: UNITS, returnSequences, recurrentActivation: 'sigmoid' });
    const x3 = tf.tensor3d(Float32Array.from(input), [1, STEPS, CHANNELS]);
    layer.apply(x3);
    layer.setWeights([
      tf.tensor2d(Float32Array.from(kernelW), [CHANNELS, g]),
      tf.tensor2d(Float32Array.from(recurrentW), [UNITS, g]),
      tf.tensor1d(Float32Array.from(biasW)),
    ]);
    const expected = (layer.apply(x3) as tf.Tensor).dataSync();
    const actual = tfGru(
      tf.tensor2d(Float32Array.from(input), [STEPS, CHANNELS]),
      tf.tensor2d(Float32Array.from(kernelW), [CHANNELS, g]),
      tf.tensor2d(Float32Array.from(recurrentW), [UNITS, g]),
      tf.tensor2d(Float32Array.from(biasW), [1, g]),
      UNITS,
      returnSequences,
      false,
    ).dataSync();
    expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-6);
  });
});

describe.each([true, false])('GRU kernel, returnSequences %s', (returnSequences) => {
  const kernel = gru(UNITS, returnSequences, [STEPS, CHANNELS]);
  const g = 3 * UNITS;
  const kernelSize = CHANNELS * g;
  const recurrentSize = UNITS * g;

  // The float32 kernel (f32x4 lanes, its own float32 exp) rounds every step to float32 and the 12-step recurrence
  // carries the round-off forward; it stays within the same bound (measured ≤ 2.4e-7, as float64 ≤ 2e-7).
  it.each(['float64', 'float32'] as const)('matches tfjs (float32) forward and autodiff gradients within 1e-5 (%s kernel)', (precision) => {
    const tested = precision === 'float64' ? kernel : gru(UNITS, returnSequences, [STEPS, CHANNELS], precision);
    const { params, input, cotangent } = setup(tested, 11);
    const { output, grads, inputGrad } = run(tested, params, input, cotangent);

    const x = tf.tensor2d(Float32Array.from(input), [STEPS, CHANNELS]);
    const kernelW = tf.tensor2d(Float32Array.from(params.subarray(0, kernelSize)), [CHANNELS, g]);
    const recurrentW = tf.tensor2d(Float32Array.from(params.subarray(kernelSize, kernelSize + recurrentSize)), [UNITS, g]);
    const biasW = tf.tensor2d(Float32Array.from(params.subarray(kernelSize + recurrentSize)), [2, g]);
    const dy = tf.tensor2d(Float32Array.from(cotangent), [kernel.outputShape[0], UNITS]);
    const expectedOutput = tfGru(x, kernelW, recurrentW, biasW, UNITS, returnSequences, true).dataSync();
    const f = (xs: tf.Tensor, k: tf.Tensor, rk: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tfGru(xs as tf.Tensor2D, k as tf.Tensor2D, rk as tf.Tensor2D, b as tf.Tensor2D, UNITS, returnSequences, true), dy));
    const [dx, dk, drk, db] = tf
      .grads(f)([x, kernelW, recurrentW, biasW])
      .map((t) => t.dataSync());

    const errors = {
      output: maxAbsDiff(output, expectedOutput),
      input: maxAbsDiff(inputGrad, dx),
      kernel: maxAbsDiff(grads.subarray(0, kernelSize), dk),
      recurrent: maxAbsDiff(grads.subarray(kernelSize, kernelSize + recurrentSize), drk),
      bias: maxAbsDiff(grads.subarray(kernelSize + recurrentSize), db),
    };
    const scales = { output: maxAbs(output), input: maxAbs(inputGrad), kernel: maxAbs(grads.subarray(0, kernelSize)) };
    console.log(`gru ${precision} vs tfjs (returnSequences ${returnSequences}): max |Δ| ${JSON.stringify(errors)}; scale ${JSON.stringify(scales)}`);
    for (const error of Object.values(errors)) expect(error).toBeLessThan(1e-5);
    // The comparison is not vacuous: every block has sizeable gradients.
    expect(maxAbs(inputGrad)).toBeGreaterThan(0.05);
    expect(maxAbs(grads.subarray(kernelSize, kernelSize + recurrentSize))).toBeGreaterThan(0.05);
    expect(maxAbs(grads.subarray(kernelSize + recurrentSize + g))).toBeGreaterThan(0.05);
  });

  it('matches central finite differences in float64 (relative error ≤ 1e-6)', () => {
    const { params, input, cotangent } = setup(kernel, 12);
    const { grads, inputGrad } = run(kernel, params, input, cotangent);
    const random = new Random(99);
    const blocks: Array<[number, number]> = [
      [0, kernelSize],
      [kernelSize, recurrentSize],
      [kernelSize + recurrentSize, g],
      [kernelSize + recurrentSize + g, g],
    ];
    const h = 1e-5;
    let worst = 0;
    const check = (analytic: number, values: Float64Array, index: number) => {
      const saved = values[index];
      values[index] = saved + h;
      const up = loss(kernel, params, input, cotangent);
      values[index] = saved - h;
      const down = loss(kernel, params, input, cotangent);
      values[index] = saved;
      const numeric = (up - down) / (2 * h);
      const denominator = Math.max(Math.abs(numeric), Math.abs(analytic), 1e-3);
      worst = Math.max(worst, Math.abs(numeric - analytic) / denominator);
    };
    for (const [start, size] of blocks) {
      for (let n = 0; n < 6; n++) {
        const index = start + random.int(size);
        check(grads[index], params, index);
      }
    }
    for (let n = 0; n < 6; n++) {
      const index = random.int(input.length);
      check(inputGrad[index], input, index);
    }
    console.log(`gru finite differences (returnSequences ${returnSequences}): worst relative error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-6);
  });

  it('backward adds into grads, overwrites the input gradient, and skips it when null', () => {
    const { params, input, cotangent } = setup(kernel, 13);
    const output = new Float64Array(kernel.outputShape[0] * kernel.outputShape[1]);
    kernel.forward(params, input, output, true);
    const grads = new Float64Array(kernel.paramCount);
    const inputGrad = new Float64Array(input.length);
    kernel.backward(params, input, cotangent, grads, inputGrad);
    const once = grads.slice();
    const inputOnce = inputGrad.slice();
    kernel.backward(params, input, cotangent, grads, inputGrad);
    // Twice the gradient up to round-off (the second call adds per step onto the first call's total).
    for (let i = 0; i < grads.length; i++) expect(Math.abs(grads[i] - 2 * once[i])).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(once[i])));
    expect(maxAbs(once)).toBeGreaterThan(0.05);
    expect(inputGrad).toEqual(inputOnce);
    const without = new Float64Array(kernel.paramCount);
    kernel.backward(params, input, cotangent, without, null);
    expect(without).toEqual(once);
    // Forward is a pure function of (params, input).
    const again = new Float64Array(output.length);
    kernel.forward(params, input, again, false);
    expect(again).toEqual(output);
  });
});

describe('GRU kernel edge shapes', () => {
  it.each([
    [1, 3, 2, true],
    [1, 1, 1, false],
    [4, 1, 3, true],
  ] as const)('T=%i, C=%i, units=%i, returnSequences %s: finite differences', (steps, channels, units, returnSequences) => {
    const kernel = gru(units, returnSequences, [steps, channels]);
    const { params, input, cotangent } = setup(kernel, 21);
    const { grads, inputGrad } = run(kernel, params, input, cotangent);
    const h = 1e-5;
    let worst = 0;
    const check = (analytic: number, values: Float64Array, index: number) => {
      const saved = values[index];
      values[index] = saved + h;
      const up = loss(kernel, params, input, cotangent);
      values[index] = saved - h;
      const down = loss(kernel, params, input, cotangent);
      values[index] = saved;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-3));
    };
    for (let i = 0; i < params.length; i++) check(grads[i], params, i);
    for (let i = 0; i < input.length; i++) check(inputGrad[i], input, i);
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('GRU kernel speed', () => {
  it('reports forward + backward time per sample for GRU(32) on 120×6', () => {
    const steps = 120;
    const channels = 6;
    const units = 32;
    const kernel = gru(units, false, [steps, channels]);
    const { params, input, cotangent } = setup(kernel, 5);
    const output = new Float64Array(units);
    const grads = new Float64Array(kernel.paramCount);
    const inputGrad = new Float64Array(input.length);
    const step = (withInputGrad: boolean) => {
      kernel.forward(params, input, output, true);
      kernel.backward(params, input, cotangent, grads, withInputGrad ? inputGrad : null);
    };
    for (let i = 0; i < 200; i++) step(i % 2 === 0);
    const macs = steps * (3 * channels * units + 3 * units * units);
    const time = (fn: () => void, reps: number) => {
      let best = Infinity;
      for (let round = 0; round < 5; round++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < reps; i++) fn();
        best = Math.min(best, Number(process.hrtime.bigint() - start) / reps);
      }
      return best;
    };
    const forwardNs = time(() => kernel.forward(params, input, output, true), 100);
    const trainNs = time(() => step(true), 50);
    const trainNoDxNs = time(() => step(false), 50);
    console.log(
      `gru(32) on 120×6: ${macs} forward MACs; forward ${(forwardNs / 1e3).toFixed(0)} µs (${(forwardNs / macs).toFixed(2)} ns/MAC), ` +
        `forward+backward ${(trainNs / 1e3).toFixed(0)} µs (${(trainNs / macs).toFixed(2)} ns/MAC), ` +
        `without input grad ${(trainNoDxNs / 1e3).toFixed(0)} µs (${(trainNoDxNs / macs).toFixed(2)} ns/MAC)`,
    );
    expect(Number.isFinite(grads[0])).toBe(true);
  });
});
