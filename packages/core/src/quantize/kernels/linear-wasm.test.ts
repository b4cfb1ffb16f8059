import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Padding } from '../../model/ir';
import { biasLimit } from './requant-params';
import { conv1dInt8 } from './conv1d';
import { denseInt8 } from './dense';
import { pointwise1dInt8 } from './pointwise1d';
import { WasmLinearKernels, type LinearOp } from './linear-wasm';
import { quantizeMultiplier, SHIFT_MAX } from '../requantize';
import { windowGeometry } from '../../../testing/quantize/kernel-geometry';

/** A random op of `kind` with int8 weights, biases up to the accumulator bound and per-filter scales over 2^±20. */
function randomOp(random: Random, kind: LinearOp['kind'], index: number): LinearOp {
  const length = 1 + random.int(40);
  const channels = 1 + random.int(kind === 'conv1d' ? 12 : 40);
  const padding: Padding = random.int(2) ? 'same' : 'valid';
  const kernel = kind === 'conv1d' ? 1 + random.int(padding === 'valid' ? Math.min(length, 9) : 9) : 1;
  const stride = kind === 'conv1d' ? 1 + random.int(3) : 1;
  const geometry = windowGeometry(length, channels, kernel, stride, padding);
  // 1..35 filters: whole blocks of eight, the filters left over, and fewer than eight.
  const filters = 1 + random.int(35);
  const taps = kind === 'dense' ? length * channels : kernel * channels;
  const limit = Math.min(biasLimit(taps), random.pick([300, 5000, 2 ** 20, 2 ** 31]));
  const scales = Array.from({ length: filters }, () => (random.int(10) === 0 ? 0 : 2 ** (random.next() * 40 - 32)));
  const quantized = scales.map(quantizeMultiplier);
  const zeroPoint = () => random.int(256) - 128;
  const actMin = random.int(2) ? -128 : zeroPoint();
  return {
    kind,
    index,
    input: index,
    branch: null,
    exit: null,
    inputShape: [length, channels],
    outputShape: kind === 'dense' ? [1, filters] : [kind === 'conv1d' ? geometry.outLength : length, filters],
    kernel,
    stride,
    padBefore: kind === 'conv1d' ? geometry.padBefore : 0,
    requant: {
      inputZeroPoint: zeroPoint(),
      outputZeroPoint: zeroPoint(),
      actMin,
      actMax: Math.max(actMin, random.int(2) ? 127 : zeroPoint()),
      multiplier: quantized.map((q) => q.multiplier),
      shift: quantized.map((q) => q.shift),
    },
    bias: Array.from({ length: filters }, () => Math.round((random.next() * 2 - 1) * limit)),
    weights: Array.from({ length: taps * filters }, () => random.int(256) - 128),
    weightScales: scales,
  };
}

/** What the reference kernel (the definition, mirrored by the C runtime) writes for `op`. */
function reference(op: LinearOp, input: Int8Array): Int8Array {
  const [length, channels] = op.inputShape;
  const [outLength, filters] = op.outputShape;
  const output = new Int8Array(outLength * filters);
  if (op.kind === 'conv1d') {
    const geometry = { inLength: length, channels, kernel: op.kernel, stride: op.stride, padBefore: op.padBefore, outLength };
    conv1dInt8(input, op.weights, op.bias, op.requant, geometry, filters, output);
  } else if (op.kind === 'pointwise1d') pointwise1dInt8(input, op.weights, op.bias, op.requant, length, channels, filters, output);
  else denseInt8(input, op.weights, op.bias, op.requant, length * channels, filters, output);
  return output;
}

describe('WasmLinearKernels', () => {
  it('writes the reference kernels’ bytes: 600 random conv1d, pointwise and dense ops, each on 5 inputs, in one memory', () => {
    const random = new Random(8);
    const kernels = new WasmLinearKernels();
    const ops = Array.from({ length: 600 }, (_, i) => randomOp(random, random.pick(['conv1d', 'pointwise1d', 'dense'] as const), i));
    let clamped = 0;
    let total = 0;
    for (let round = 0; round < 5; round++) {
      for (const op of ops) {
        const [length, channels] = op.inputShape;
        // Inputs at the zero point now and then (skipped taps), and at both ends of int8.
        const input = Int8Array.from({ length: length * channels }, () =>
          random.int(4) === 0 ? op.requant.inputZeroPoint : random.pick([-128, 127, random.int(256) - 128]),
        );
        const output = new Int8Array(op.outputShape[0] * op.outputShape[1]);
        kernels.run(op, input, output);
        const expected = reference(op, input);
        expect(Array.from(output)).toEqual(Array.from(expected));
        for (const v of expected) if (v === op.requant.actMin || v === op.requant.actMax) clamped++;
        total += expected.length;
      }
    }
    // Not every output is pinned at a clamp bound, so the requantisation itself is compared.
    expect(clamped / total).toBeLessThan(0.8);
  });

  it('requantises accumulators at the int32 edges like requantize.ts: saturated left shifts, the largest shift, ties', () => {
    const kernels = new WasmLinearKernels();
    const edges = [2147483647 - 32640, -(2147483647 - 32640), 1, -1, 0, 2 ** 30, -(2 ** 30), 3, -3, 5, -5];
    for (const shift of [SHIFT_MAX, 12, 1, 0, -1, -2, -17, -31]) {
      for (const multiplier of [0, 2 ** 30, 2 ** 31 - 1, 1518500250]) {
        const op = randomOp(new Random(1), 'pointwise1d', 0);
        const filters = edges.length;
        Object.assign(op, {
          inputShape: [1, 1],
          outputShape: [1, filters],
          bias: edges,
          weights: Array.from({ length: filters }, () => 1),
          requant: { inputZeroPoint: 3, outputZeroPoint: 0, actMin: -128, actMax: 127, multiplier: edges.map(() => multiplier), shift: edges.map(() => shift) },
        });
        // x − z = 0: the accumulators are the biases.
        const output = new Int8Array(filters);
        kernels.run(op, Int8Array.of(3), output);
        expect(Array.from(output), `shift ${shift}, multiplier ${multiplier}`).toEqual(Array.from(reference(op, Int8Array.of(3))));
      }
    }
  });

  it('refuses an input of the wrong size and biases that could overflow int32, as the reference does', () => {
    const kernels = new WasmLinearKernels();
    const op = randomOp(new Random(3), 'dense', 0);
    expect(() => kernels.run(op, new Int8Array(op.inputShape[0] * op.inputShape[1] + 1), new Int8Array(op.outputShape[1]))).toThrow(/the op reads/);
    const overflowing = { ...randomOp(new Random(4), 'conv1d', 1), bias: [2147483647] };
    overflowing.outputShape = [overflowing.outputShape[0], 1];
    expect(() =>
      kernels.run(overflowing, new Int8Array(overflowing.inputShape[0] * overflowing.inputShape[1]), new Int8Array(overflowing.outputShape[0])),
    ).toThrow(/can overflow the int32 accumulator/);
  });
});
