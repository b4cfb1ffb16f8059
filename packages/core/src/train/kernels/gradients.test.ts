import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Layer, Shape } from '../../model/ir';
import { paramLayout } from '../../model/params';
import { createKernel } from '../create-kernel';
import { Arena, type Precision } from '../wasm/arena';

/**
 * Gradient oracle: every layer kernel's forward output and its gradients (w.r.t. the input and every parameter)
 * against tfjs autodiff of the op Keras would run, with the same weights, on small seeded random tensors.
 *
 * Tolerance: max |ours − tfjs| ≤ 1e-6. Both sides start from the same float32-representable numbers; tfjs-cpu then
 * accumulates each op in doubles but stores every op's result as float32 (relative rounding 2^-24 ≈ 6e-8 per op),
 * and a gradient here passes through two or three such ops on values of magnitude ≲ 4, so its error stays a few
 * 1e-7; ours is float64 throughout. Set NX_TINYML_PRINT_GRADIENT_DIFFS=1 to print the achieved maxima.
 *
 * The float32 engine rounds every multiply and add to float32 (tfjs only every op's result), in another summation
 * order: a sum of n products of magnitude ≲ 4 then differs by up to ~n·4·2^-24 (n ≤ 40 here: ~1e-5 at worst, a few
 * 1e-7 typically; measured ≤ 1e-6). Tolerance 5e-6.
 */
const TOLERANCE: Record<Precision, number> = { float64: 1e-6, float32: 5e-6 };

interface Case {
  name: string;
  layer: Layer;
  input: Shape;
  /** Input values from the seeded uniform u ∈ [−1, 1): default u · 1.5. */
  value?: (u: number, i: number) => number;
  /** Explicit input values (overrides `value`). */
  values?: number[];
}

const conv = (filters: number, kernel: number, stride: number, padding: 'same' | 'valid', activation: 'none' | 'relu' | 'relu6'): Layer => ({
  kind: 'conv1d',
  filters,
  kernel,
  stride,
  padding,
  activation,
});
const depthwise = (kernel: number, stride: number, padding: 'same' | 'valid', activation: 'none' | 'relu' | 'relu6'): Layer => ({
  kind: 'depthwise1d',
  kernel,
  stride,
  padding,
  activation,
});

const cases: Case[] = [
  // conv1d: window 15 = 8 + 4 + 2 + 1 taps (every backward remainder path), 9 outputs (4-step tiles + a remainder), 5 filters (odd)
  { name: 'conv1d valid k5 s1 relu', layer: conv(5, 5, 1, 'valid', 'relu'), input: [13, 3] },
  { name: 'conv1d same k5 s1 relu6', layer: conv(4, 5, 1, 'same', 'relu6'), input: [12, 3], value: (u) => u * 4 },
  { name: 'conv1d same k4 s2 (even kernel, uneven padding)', layer: conv(3, 4, 2, 'same', 'none'), input: [11, 3] },
  { name: 'conv1d valid k3 s2 relu', layer: conv(6, 3, 2, 'valid', 'relu'), input: [14, 4] },
  { name: 'conv1d same k1 s3, 9 filters (8-filter path)', layer: conv(9, 1, 3, 'same', 'relu'), input: [7, 2] },
  { name: 'conv1d same k7 on 3 steps (padding wider than the input)', layer: conv(2, 7, 1, 'same', 'none'), input: [3, 2] },
  { name: 'conv1d same k3 s1, 16 → 32 (reference sizes)', layer: conv(32, 3, 1, 'same', 'relu'), input: [9, 16], value: (u) => u * 0.5 },
  // windows of ≥ 32 values and ≥ 32 filters after an activation take the zero-skipping backward (sliding-dot.ts)
  { name: 'conv1d same k5 s2 relu, 8 → 33 (zero-skipping backward, strided)', layer: conv(33, 5, 2, 'same', 'relu'), input: [11, 8] },
  {
    name: 'pointwise1d relu6, 32 → 32 (zero-skipping backward)',
    layer: { kind: 'pointwise1d', filters: 32, activation: 'relu6' },
    input: [7, 32],
    value: (u) => u * 4,
  },
  { name: 'pointwise1d relu', layer: { kind: 'pointwise1d', filters: 7, activation: 'relu' }, input: [9, 5] },
  { name: 'pointwise1d 9 filters', layer: { kind: 'pointwise1d', filters: 9, activation: 'none' }, input: [3, 4] },
  { name: 'depthwise1d same k3 s1 relu', layer: depthwise(3, 1, 'same', 'relu'), input: [10, 4] },
  { name: 'depthwise1d valid k3 s2', layer: depthwise(3, 2, 'valid', 'none'), input: [11, 3] },
  { name: 'depthwise1d same k4 s2 relu6', layer: depthwise(4, 2, 'same', 'relu6'), input: [9, 5], value: (u) => u * 8 },
  { name: 'depthwise1d same k5 on 2 steps', layer: depthwise(5, 1, 'same', 'relu'), input: [2, 3] },
  { name: 'dense relu', layer: { kind: 'dense', units: 3, activation: 'relu' }, input: [6, 5] },
  { name: 'dense 9 units (8-unit path)', layer: { kind: 'dense', units: 9, activation: 'none' }, input: [4, 3] },
  { name: 'dense 1 unit on 160 inputs (partial sums)', layer: { kind: 'dense', units: 1, activation: 'none' }, input: [20, 8], value: (u) => u * 0.5 },
  { name: 'dense relu6 after global pool', layer: { kind: 'dense', units: 4, activation: 'relu6' }, input: [1, 32], value: (u) => u * 6 },
  { name: 'maxpool1d 2/2', layer: { kind: 'maxpool1d', pool: 2, stride: 2 }, input: [10, 3] },
  { name: 'maxpool1d 3/2 (overlapping, odd tail)', layer: { kind: 'maxpool1d', pool: 3, stride: 2 }, input: [12, 2] },
  { name: 'maxpool1d 3/1', layer: { kind: 'maxpool1d', pool: 3, stride: 1 }, input: [8, 3] },
  { name: 'maxpool1d all-negative windows', layer: { kind: 'maxpool1d', pool: 2, stride: 2 }, input: [10, 3], value: (u) => u - 3 },
  {
    name: 'maxpool1d ties (first max gets the gradient)',
    layer: { kind: 'maxpool1d', pool: 3, stride: 2 },
    input: [11, 2],
    value: (u) => Math.round(u * 2) / 2 - 1,
  },
  { name: 'avgpool1d 2/2', layer: { kind: 'avgpool1d', pool: 2, stride: 2 }, input: [10, 3] },
  { name: 'avgpool1d 3/1', layer: { kind: 'avgpool1d', pool: 3, stride: 1 }, input: [8, 4] },
  { name: 'globalavgpool', layer: { kind: 'globalavgpool' }, input: [7, 4] },
  { name: 'globalavgpool, odd channel count', layer: { kind: 'globalavgpool' }, input: [5, 3] },
  { name: 'batchnorm (per-channel affine)', layer: { kind: 'batchnorm' }, input: [6, 5] },
  { name: 'relu (including exact zeros)', layer: { kind: 'relu' }, input: [6, 4], value: (u, i) => (i % 5 === 0 ? 0 : u * 2) },
  {
    name: 'relu6 boundaries (0, 6, −0, beyond)',
    layer: { kind: 'relu6' },
    input: [4, 4],
    values: [0, 6, -0, 5.999999523162842, 6.000000476837158, 7, -1, 3, 0.5, 12, -6, 1e-7, 6, 0, 2.5, -0.25],
  },
];

function uniform(random: Random, n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround((2 * random.next() - 1) * scale));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The tfjs op for one layer on x [1, T, C], given its parameters split per model/params.ts. */
function tfLayer(layer: Layer, x: tf.Tensor3D, params: tf.Tensor[]): tf.Tensor {
  const [, length, channels] = x.shape;
  const act = (y: tf.Tensor, activation: 'none' | 'relu' | 'relu6') => (activation === 'relu' ? tf.relu(y) : activation === 'relu6' ? tf.relu6(y) : y);
  switch (layer.kind) {
    case 'conv1d':
      return act(tf.add(tf.conv1d(x, params[0] as tf.Tensor3D, layer.stride, layer.padding), params[1]), layer.activation);
    case 'pointwise1d':
      return act(tf.add(tf.conv1d(x, tf.reshape<tf.Rank.R3>(params[0], [1, channels, layer.filters]), 1, 'valid'), params[1]), layer.activation);
    case 'depthwise1d': {
      const filter = tf.reshape<tf.Rank.R4>(params[0], [layer.kernel, 1, channels, 1]);
      const y = tf.depthwiseConv2d(tf.reshape<tf.Rank.R4>(x, [1, length, 1, channels]), filter, [layer.stride, 1], layer.padding);
      return act(tf.add(y, params[1]), layer.activation);
    }
    case 'dense':
      return act(tf.add(tf.matMul(tf.reshape<tf.Rank.R2>(x, [1, length * channels]), params[0] as tf.Tensor2D), params[1]), layer.activation);
    case 'maxpool1d':
      return tf.maxPool(tf.reshape<tf.Rank.R4>(x, [1, length, 1, channels]), [layer.pool, 1], [layer.stride, 1], 'valid');
    case 'avgpool1d':
      return tf.avgPool(tf.reshape<tf.Rank.R4>(x, [1, length, 1, channels]), [layer.pool, 1], [layer.stride, 1], 'valid');
    case 'globalavgpool':
      return tf.mean(x, 1);
    case 'batchnorm':
      return tf.add(tf.mul(x, params[0]), params[1]);
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'gru':
      throw new Error('the GRU oracle lives in gru.test.ts');
  }
}

const achieved: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterAll(() => {
  if (process.env.NX_TINYML_PRINT_GRADIENT_DIFFS) console.log(achieved.join('\n'));
});

describe.each(['float64', 'float32'] as const)('layer kernels (%s) against tfjs autodiff', (precision) => {
  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', (_name, testCase, index) => {
    const { layer, input } = testCase;
    const arena = new Arena(precision);
    const kernel = createKernel(layer, input, arena);
    arena.seal();
    const random = new Random(1000 + index);
    const layout = paramLayout(layer, input);
    expect(kernel.paramCount).toBe(layout.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0));
    const params = uniform(random, kernel.paramCount, 0.5);
    const inputSize = input[0] * input[1];
    const x = testCase.values
      ? Float64Array.from(testCase.values, (v) => Math.fround(v))
      : Float64Array.from(uniform(random, inputSize, 1), (u, i) => Math.fround((testCase.value ?? ((v) => v * 1.5))(u, i)));
    const outputSize = kernel.outputShape[0] * kernel.outputShape[1];
    const cotangent = uniform(random, outputSize, 1);

    const output = new Float64Array(outputSize);
    kernel.forward(params, x, output, true);
    const grads = new Float64Array(kernel.paramCount);
    const inputGrad = new Float64Array(inputSize);
    kernel.backward(params, x, cotangent, grads, inputGrad);

    const xT = tf.tensor3d(Float32Array.from(x), [1, input[0], input[1]]);
    const paramTensors = layout.map((t) => tf.tensor(Float32Array.from(params.subarray(t.offset, t.offset + t.shape.reduce((a, b) => a * b, 1))), t.shape));
    const cotT = tf.tensor1d(Float32Array.from(cotangent));
    const reference = tfLayer(layer, xT, paramTensors);
    expect(reference.size).toBe(outputSize);
    const loss = (...args: tf.Tensor[]) => tf.sum<tf.Scalar>(tf.mul(tf.reshape(tfLayer(layer, args[0] as tf.Tensor3D, args.slice(1)), [-1]), cotT));
    const tfGrads = tf.grads(loss)([xT, ...paramTensors]);

    const diffs = {
      output: maxAbsDiff(output, reference.dataSync()),
      input: maxAbsDiff(inputGrad, tfGrads[0].dataSync()),
      params: paramTensors.length === 0 ? 0 : maxAbsDiff(grads, Float64Array.from(tfGrads.slice(1).flatMap((g) => Array.from(g.dataSync())))),
    };
    achieved.push(
      `${precision} ${testCase.name.padEnd(62)} output ${diffs.output.toExponential(1)}  dX ${diffs.input.toExponential(1)}  dParams ${diffs.params.toExponential(1)}`,
    );
    expect(diffs.output).toBeLessThanOrEqual(TOLERANCE[precision]);
    expect(diffs.input).toBeLessThanOrEqual(TOLERANCE[precision]);
    expect(diffs.params).toBeLessThanOrEqual(TOLERANCE[precision]);
    tf.dispose([xT, cotT, reference, ...paramTensors, ...tfGrads]);
  });
});

describe('kernel behaviour the oracle cannot see', () => {
  it('max-pool: an all-negative window still routes its gradient to its maximum', () => {
    const kernel = createKernel({ kind: 'maxpool1d', pool: 2, stride: 2 }, [4, 1]);
    const x = Float64Array.from([-3, -1, -2, -2]);
    const out = new Float64Array(2);
    kernel.forward(new Float64Array(0), x, out, true);
    expect(Array.from(out)).toEqual([-1, -2]);
    const dx = new Float64Array(4);
    kernel.backward(new Float64Array(0), x, Float64Array.from([0.5, 0.25]), new Float64Array(0), dx);
    expect(Array.from(dx)).toEqual([0, 0.5, 0.25, 0]);
  });

  it('ReLU6: the gradient passes on (0, 6] and is zero at 0 and above 6 (tfjs convention)', () => {
    const kernel = createKernel({ kind: 'relu6' }, [1, 5]);
    const x = Float64Array.from([0, 6, 6.5, -1, 3]);
    const out = new Float64Array(5);
    kernel.forward(new Float64Array(0), x, out, true);
    expect(Array.from(out)).toEqual([0, 6, 6, 0, 3]);
    const dx = new Float64Array(5);
    kernel.backward(new Float64Array(0), x, Float64Array.from([1, 1, 1, 1, 1]), new Float64Array(0), dx);
    expect(Array.from(dx)).toEqual([0, 1, 0, 0, 1]);
  });

  it('backward adds into the gradient accumulators (a batch sums over samples)', () => {
    const layer = conv(3, 3, 1, 'same', 'relu');
    const kernel = createKernel(layer, [6, 2]);
    const random = new Random(7);
    const params = uniform(random, kernel.paramCount, 0.5);
    const x = uniform(random, 12, 1);
    const dy = uniform(random, 18, 1);
    const once = new Float64Array(kernel.paramCount);
    const twice = new Float64Array(kernel.paramCount);
    const out = new Float64Array(18);
    kernel.forward(params, x, out, true);
    kernel.backward(params, x, dy, once, null);
    kernel.backward(params, x, dy, twice, null);
    kernel.backward(params, x, dy, twice, null);
    expect(Array.from(twice)).toEqual(Array.from(once, (v) => v + v));
  });

  it('Glorot-uniform init within Keras limits, zero biases, deterministic', () => {
    const kernel = createKernel(conv(16, 5, 1, 'valid', 'relu'), [120, 6]);
    const draw = (seed: number) => {
      const random = new Random(seed);
      const p = new Float64Array(kernel.paramCount);
      kernel.init(p, () => random.next());
      return p;
    };
    const p = draw(3);
    const limit = Math.sqrt(6 / (5 * 6 + 5 * 16));
    const weights = p.subarray(0, 5 * 6 * 16);
    expect(Math.max(...weights.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...weights.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(Array.from(p.subarray(5 * 6 * 16))).toEqual(new Array(16).fill(0));
    expect(draw(3)).toEqual(p);
  });
});
