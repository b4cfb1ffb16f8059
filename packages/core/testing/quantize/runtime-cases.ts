/**
 * Randomised cases for the C runtime's bit-exactness test (c-runtime.test.ts): each case is one input line for
 * firmware/runtime/test/kernel_driver.c and the line the TypeScript reference says it must print. Sizes are small
 * (the point is coverage of edges, not bulk): odd shapes, padding wider than the input, strides > 1, all-−128 and
 * all-127 inputs, extreme zero points, multipliers and shifts that saturate, biases at their accumulator bound.
 */
import { Random } from '../../src/common/random';
import { convolvedLength, samePadding } from '../../src/model/shapes';
import { readInputGate } from '../../src/quantize/input-gate';
import { evidentialDecision, evidentialHead, exitDecision, EXP_TABLE_MAX, EXP_TABLE_ONE_Q16, expEvidenceTable } from '../../src/quantize/evidential';
import { sigmoidQ15, tanhQ15 } from '../../src/quantize/fixed-point-activations';
import { quantizeGru } from '../../src/quantize/gru-quant';
import { clampInt8 } from '../../src/quantize/kernels/clamp';
import { gruRecurrentBiasLimit } from '../../src/quantize/kernels/gru';
import { ChannelRequant, biasLimit } from '../../src/quantize/kernels/requant-params';
import {
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  requantizeToInt8,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../src/quantize/requantize';
import type { QuantizedModel } from '../../src/quantize/quantized-model';
import { rawInputSpec, rawToInput } from '../../src/quantize/raw-input';
import { bindCall, driverCaseLine } from '../../src/quantize/c-kernel-abi';
import { KernelCall, driverLine, referenceOutput } from './runtime-program';

export interface RuntimeCase {
  label: string;
  line: string;
  expected: string;
  /** The kernel call, for the linear kernels (these also run on the emulated boards: c-runtime-qemu.test.ts). */
  call?: KernelCall;
}

/** A kernel call as a case of the host driver, with the reference's output. */
export function callCase(call: KernelCall): RuntimeCase {
  return { label: call.label, line: driverLine(call), expected: joined(referenceOutput(call)), call };
}

const list = (values: ArrayLike<number>) => `${values.length} ${Array.from(values).join(' ')}`.trimEnd();
const joined = (values: ArrayLike<number>) => Array.from(values).join(' ');

/** int8 data: mostly uniform, sometimes constant at an extreme (all −128, all 127) or in a narrow band. */
function int8Data(random: Random, n: number): Int8Array {
  const mode = random.int(6);
  if (mode === 0) return new Int8Array(n).fill(-128);
  if (mode === 1) return new Int8Array(n).fill(127);
  if (mode === 2) return Int8Array.from({ length: n }, () => random.int(9) - 4);
  return Int8Array.from({ length: n }, () => random.int(256) - 128);
}

function zeroPoint(random: Random): number {
  return random.int(5) === 0 ? random.pick([-128, 127, 0]) : random.int(256) - 128;
}

function multiplierAndShift(random: Random): { multiplier: number; shift: number } {
  const pick = random.int(10);
  if (pick === 0) return { multiplier: random.pick([0, 1 << 30, INT32_MAX]), shift: random.int(62) - 31 };
  if (pick === 1) return { multiplier: (1 << 30) + random.int(1 << 30), shift: random.int(62) - 31 }; // any shift: saturation, flush to 0
  return { multiplier: (1 << 30) + random.int(1 << 30), shift: -random.int(14) - 1 }; // what PTQ produces
}

function requantFor(random: Random, channels: number): ChannelRequant & { multiplier: number[]; shift: number[] } {
  const pairs = Array.from({ length: channels }, () => multiplierAndShift(random));
  const a = random.int(256) - 128;
  const b = random.int(256) - 128;
  const [actMin, actMax] = random.int(3) === 0 ? [-128, 127] : [Math.min(a, b), Math.max(a, b)];
  return {
    inputZeroPoint: zeroPoint(random),
    outputZeroPoint: zeroPoint(random),
    actMin,
    actMax,
    multiplier: pairs.map((p) => p.multiplier),
    shift: pairs.map((p) => p.shift),
  };
}

function biases(random: Random, n: number, limit: number): number[] {
  return Array.from({ length: n }, () => {
    const pick = random.int(8);
    if (pick === 0) return random.pick([limit, -limit, 0]);
    if (pick === 1) return Math.round((2 * random.next() - 1) * limit);
    return random.int(20001) - 10000;
  });
}

export function requantizeCases(random: Random, count: number): RuntimeCase[] {
  const specials = [INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, 1, -1, 1 << 30, -(1 << 30), 32768, -32768];
  const int32 = () => (random.int(3) === 0 ? random.pick(specials) : random.int(2) ? random.uint32() | 0 : (random.uint32() | 0) >> random.int(31));
  const cases: RuntimeCase[] = [];
  for (let i = 0; i < count; i++) {
    const a = int32();
    const b = int32();
    cases.push({ label: `srdhm ${a} ${b}`, line: `srdhm ${a} ${b}`, expected: `${saturatingRoundingDoublingHighMul(a, b)}` });
    const e = random.int(32);
    cases.push({ label: `rdbpot ${a} ${e}`, line: `rdbpot ${a} ${e}`, expected: `${roundingDivideByPOT(a, e)}` });
    const { multiplier, shift } = multiplierAndShift(random);
    cases.push({
      label: `mbqm ${a} ${multiplier} ${shift}`,
      line: `mbqm ${a} ${multiplier} ${shift}`,
      expected: `${multiplyByQuantizedMultiplier(a, multiplier, shift)}`,
    });
    const zp = zeroPoint(random);
    const lo = random.int(128) - 128;
    const hi = random.int(128);
    cases.push({
      label: `requant ${a}`,
      line: `requant ${a} ${multiplier} ${shift} ${zp} ${lo} ${hi}`,
      expected: `${requantizeToInt8(a, multiplier, shift, zp, lo, hi)}`,
    });
  }
  return cases;
}

export function windowCases(random: Random, count: number, kind: 'conv1d' | 'depthwise1d'): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    const inLength = 1 + random.int(13);
    const channels = 1 + random.int(kind === 'conv1d' ? 5 : 9);
    const same = random.int(2) === 0;
    const kernel = 1 + random.int(same ? 9 : inLength); // same: kernels wider than the input too
    const stride = 1 + random.int(3);
    const outChannels = kind === 'conv1d' ? 1 + random.int(9) : channels;
    return callCase(windowCall(random, kind, `${kind} #${i}`, { inLength, channels, kernel, stride, same, outChannels }));
  });
}

interface WindowShape {
  inLength: number;
  channels: number;
  kernel: number;
  stride: number;
  same: boolean;
  outChannels: number;
}

function windowCall(random: Random, kind: 'conv1d' | 'depthwise1d', name: string, shape: WindowShape, requantOf = requantFor): KernelCall {
  const { inLength, channels, kernel, stride, same, outChannels } = shape;
  const padBefore = same ? samePadding(inLength, kernel, stride).left : 0;
  const outLength = convolvedLength(inLength, kernel, stride, same ? 'same' : 'valid');
  const taps = kind === 'conv1d' ? kernel * channels : kernel;
  const input = int8Data(random, inLength * channels);
  const weights = int8Data(random, kernel * channels * (kind === 'conv1d' ? outChannels : 1));
  const bias = biases(random, outChannels, biasLimit(taps));
  const requant = requantOf(random, outChannels);
  return {
    kind,
    label: `${name} [${inLength}×${channels}] k${kernel} s${stride} ${same ? 'same' : 'valid'} → ${outChannels}`,
    inLength,
    channels,
    kernel,
    stride,
    padBefore,
    outChannels,
    outLength,
    input,
    linear: { weights, bias, ...requant },
  };
}

export function pointwiseCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) =>
    callCase(pointwiseCall(random, `pointwise1d #${i}`, 1 + random.int(9), 1 + random.int(11), 1 + random.int(11))),
  );
}

function pointwiseCall(random: Random, name: string, length: number, channels: number, filters: number, requantOf = requantFor): KernelCall {
  const input = int8Data(random, length * channels);
  const weights = int8Data(random, channels * filters);
  const bias = biases(random, filters, biasLimit(channels));
  return {
    kind: 'pointwise1d',
    label: `${name} [${length}×${channels}] → ${filters}`,
    length,
    channels,
    filters,
    input,
    linear: { weights, bias, ...requantOf(random, filters) },
  };
}

export function denseCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => callCase(denseCall(random, `dense #${i}`, 1 + random.int(40), 1 + random.int(11))));
}

function denseCall(random: Random, name: string, inputs: number, units: number, requantOf = requantFor): KernelCall {
  const input = int8Data(random, inputs);
  const weights = int8Data(random, inputs * units);
  const bias = biases(random, units, biasLimit(inputs));
  return { kind: 'dense', label: `${name} ${inputs} → ${units}`, inputs, units, input, linear: { weights, bias, ...requantOf(random, units) } };
}

/**
 * Requantisation that exercises the kernels' fast paths and their edges: mostly what PTQ produces (multiplier in
 * [2^30, 2^31), shift in [−22, −1], the one-rounding SMMLAR path on Cortex-M), the path's limits (shift −22 and
 * −23, −1, the largest multiplier) and channels that must leave it (shift ≥ 0, multiplier 0) mixed into the same
 * filter group.
 */
function fastPathRequant(random: Random, channels: number): ChannelRequant & { multiplier: number[]; shift: number[] } {
  const base = requantFor(random, channels);
  const pick = () => {
    const r = random.int(20);
    if (r === 0) return { multiplier: 0, shift: -random.int(10) };
    if (r === 1) return { multiplier: (1 << 30) + random.int(1 << 30), shift: random.int(8) };
    if (r === 2) return { multiplier: random.pick([1 << 30, INT32_MAX]), shift: random.pick([-1, -22, -23, -31, 0]) };
    if (r === 3) return { multiplier: (1 << 30) + random.int(1 << 30), shift: random.pick([-22, -23, -21, -24]) };
    return { multiplier: (1 << 30) + random.int(1 << 30), shift: -1 - random.int(r < 10 ? 22 : 12) };
  };
  const allFast = random.int(3) === 0;
  const pairs = Array.from({ length: channels }, () => (allFast ? { multiplier: (1 << 30) + random.int(1 << 30), shift: -1 - random.int(22) } : pick()));
  return { ...base, multiplier: pairs.map((p) => p.multiplier), shift: pairs.map((p) => p.shift) };
}

/**
 * Layers the size of real models, for the optimised kernel paths: longer inputs (edge steps at both ends and in
 * between), more channels and filters (full groups of four plus 1–3 left over), kernel 1, in_channels 1, strides
 * 1–3, windows of up to 4·32 rows (the pair buffer on Cortex-M) and beyond it (the unbuffered path), extreme zero
 * points, and the fast-path requantisation above.
 */
export function largeWindowCases(random: Random, count: number, kind: 'conv1d' | 'depthwise1d'): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    const channels = random.pick([1, 1 + random.int(8), 4 * (1 + random.int(4)), 1 + random.int(24), 32]);
    // Depthwise kernels past the DSP path's 16 taps too.
    const kernel = random.pick([1, 3, 5, 1 + random.int(9), ...(kind === 'depthwise1d' ? [17 + random.int(4)] : [])]);
    const inLength = kernel + random.int(40);
    const stride = random.int(4) === 0 ? 2 + random.int(2) : 1;
    const same = random.int(2) === 0;
    const outChannels = kind === 'conv1d' ? random.pick([1, 2, 3, 4, 5, 7, 8, 12, 16, 1 + random.int(20)]) : channels;
    return callCase(windowCall(random, kind, `large ${kind} #${i}`, { inLength, channels, kernel, stride, same, outChannels }, fastPathRequant));
  });
}

export function largePointwiseCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) =>
    callCase(
      pointwiseCall(
        random,
        `large pointwise1d #${i}`,
        1 + random.int(24),
        random.pick([1, 3, 4, 16, 32, 1 + random.int(40), 130]),
        random.pick([1, 2, 4, 5, 8, 16, 32, 1 + random.int(20)]),
        fastPathRequant,
      ),
    ),
  );
}

/**
 * Layers past the Cortex-M pair buffer (kernel · in_channels > 120 rows: the tiled SMLAD core, kernel_internal.h),
 * e.g. the fall models' conv 64→64 k3 (192 rows): two to five reduction tiles, rows not a multiple of four, partial
 * filter groups, padded and strided edges, and sequences longer than one block of steps (TINYML_TILE_STEPS = 16).
 */
export function tiledConvCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % 4 === 3) {
      const channels = random.pick([121, 130, 192, 256, 121 + random.int(300)]);
      return callCase(
        pointwiseCall(random, `tiled pointwise1d #${i}`, 1 + random.int(40), channels, random.pick([4, 8, 5, 1 + random.int(12)]), fastPathRequant),
      );
    }
    const [channels, kernel] = random.pick([
      [64, 3],
      [32, 5],
      [48, 3],
      [41, 3],
      [64, 5],
      [25, 7],
      [121, 1],
      [31 + random.int(40), 3 + random.int(3)],
    ]);
    const inLength = kernel + random.int(50);
    const stride = random.int(4) === 0 ? 2 : 1;
    const same = random.int(3) !== 0;
    const outChannels = random.pick([4, 8, 64, 5, 7, 1 + random.int(16)]);
    return callCase(windowCall(random, 'conv1d', `tiled conv1d #${i}`, { inLength, channels, kernel, stride, same, outChannels }, fastPathRequant));
  });
}

export function largeDenseCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) =>
    callCase(
      denseCall(
        random,
        `large dense #${i}`,
        random.pick([1, 2, 3, 4, 7, 32, 64, 1 + random.int(200)]),
        random.pick([1, 2, 3, 4, 5, 8, 16, 1 + random.int(20)]),
        fastPathRequant,
      ),
    ),
  );
}

/**
 * The requantisation inside the kernels, directly: a 1×1 convolution over one input channel with weight ±1 makes
 * every output's accumulator bias ± (x − z), so biases drawn over the whole admissible range (and near 0, ±2^k and
 * the bound) put arbitrary int32 values through the per-output requantisation of four-filter groups — on Cortex-M
 * the SMMLAR / QADD path with its saturation — against requantizeToInt8.
 */
export function requantizeViaKernelCases(random: Random, count: number): RuntimeCase[] {
  const limit = biasLimit(1);
  const pickBias = () => {
    const r = random.int(6);
    if (r === 0) return random.pick([limit, -limit, 0, 1, -1]) - (random.int(3) - 1) * random.int(2);
    if (r === 1) return Math.sign(random.next() - 0.5) * Math.min(limit, 2 ** random.int(31) + random.int(3) - 1);
    if (r === 2) return random.int(2001) - 1000;
    return Math.round((2 * random.next() - 1) * limit);
  };
  return Array.from({ length: count }, (_, i) => {
    const filters = random.pick([4, 8, 5]);
    const length = 8 + random.int(40);
    const requant = fastPathRequant(random, filters);
    const bias = Array.from({ length: filters }, () => Math.max(-limit, Math.min(limit, pickBias())));
    const weights = Int8Array.from({ length: filters }, () => random.pick([1, -1, 0, 127, -128]));
    if (i % 3 === 0) {
      // The saturating corner: products near 2^62 (accumulator and multiplier at their largest) with every right
      // shift the fast path takes and the first ones it leaves to the generic code.
      // Full output range with a negative zero point: the clamp's upper bound relative to it reaches 255, so an
      // off-by-one at the saturation (2^(31−e) − 1 against 2^(31−e)) would show for every e ≥ 24.
      requant.actMin = -128;
      requant.actMax = 127;
      requant.outputZeroPoint = random.pick([-128, -100, -1]);
      for (let f = 0; f < filters; f++) {
        requant.multiplier[f] = INT32_MAX - random.int(1 << 20);
        requant.shift[f] = random.int(2) ? -1 - random.int(26) : -20 - random.int(7);
        bias[f] = (random.int(4) ? 1 : -1) * (limit - random.int(1 << 16));
      }
    }
    return callCase({
      kind: 'pointwise1d',
      label: `requant via pointwise1d #${i} → ${filters}`,
      length,
      channels: 1,
      filters,
      input: int8Data(random, length),
      linear: { weights, bias, ...requant },
    });
  });
}

/**
 * Accumulators at the int32 bound: biases at ±the quantiser's limit and inputs / weights at the extremes that push
 * the sum toward it, so that the requantisation's saturating steps (QADD on Cortex-M) and the hoisted zero point's
 * partial sums are exercised at their limits.
 */
export function accumulatorBoundCases(random: Random, count: number): RuntimeCase[] {
  const extreme = (n: number, value: number) => new Int8Array(n).fill(value);
  return Array.from({ length: count }, (_, i) => {
    const kind = random.pick(['conv1d', 'pointwise1d', 'dense', 'depthwise1d'] as const);
    const channels = random.pick([1, 4, 6, 16]);
    const kernel = kind === 'conv1d' || kind === 'depthwise1d' ? random.pick([1, 3, 5]) : 1;
    const filters = kind === 'depthwise1d' ? channels : random.pick([1, 4, 5, 8]);
    const length = kernel + random.int(10);
    const taps = kind === 'depthwise1d' ? kernel : kernel * channels;
    const limit = biasLimit(kind === 'dense' ? length * channels : taps);
    const sign = random.int(2) === 0 ? 1 : -1;
    const zx = random.pick([-128, 127]);
    // (x − z)·w at its largest: x at the other extreme from z, w = ±128 or ±127 matching the sign wanted.
    const x = zx === -128 ? 127 : -128;
    const w = sign * (x - zx) > 0 ? 127 : -128;
    const requant = fastPathRequant(random, filters);
    requant.inputZeroPoint = zx;
    const bias = Array.from({ length: filters }, () => sign * limit - sign * random.int(3));
    const name = `bound ${kind} #${i}`;
    const linearOf = (weights: number) => ({ weights: extreme(weights, w), bias, ...requant });
    switch (kind) {
      case 'conv1d':
      case 'depthwise1d':
        return callCase({
          kind,
          label: `${name} [${length}×${channels}] k${kernel} → ${filters}`,
          inLength: length,
          channels,
          kernel,
          stride: 1,
          padBefore: 0,
          outChannels: filters,
          outLength: length - kernel + 1,
          input: extreme(length * channels, x),
          linear: linearOf(kernel * channels * (kind === 'conv1d' ? filters : 1)),
        });
      case 'pointwise1d':
        return callCase({
          kind,
          label: `${name} [${length}×${channels}] → ${filters}`,
          length,
          channels,
          filters,
          input: extreme(length * channels, x),
          linear: { ...linearOf(channels * filters), bias: bias.map(() => sign * biasLimit(channels)) },
        });
      case 'dense':
        return callCase({
          kind,
          label: `${name} ${length * channels} → ${filters}`,
          inputs: length * channels,
          units: filters,
          input: extreme(length * channels, x),
          linear: linearOf(length * channels * filters),
        });
    }
  });
}

export function poolCases(random: Random, count: number, sizes: { length: number; channels: number } = { length: 16, channels: 6 }): RuntimeCase[] {
  const cases: RuntimeCase[] = [];
  for (let i = 0; i < count; i++) {
    const inLength = 1 + random.int(sizes.length);
    const channels = 1 + random.int(sizes.channels);
    const pool = 1 + random.int(inLength);
    const stride = 1 + random.int(3);
    const outLength = convolvedLength(inLength, pool, stride, 'valid');
    const input = int8Data(random, inLength * channels);
    for (const kind of ['maxpool1d', 'avgpool1d'] as const) {
      cases.push(callCase({ kind, label: `${kind} #${i} [${inLength}×${channels}] p${pool} s${stride}`, inLength, channels, pool, stride, outLength, input }));
    }
    cases.push(callCase({ kind: 'globalavgpool', label: `globalavgpool #${i} [${inLength}×${channels}]`, length: inLength, channels, input }));
    const zIn = zeroPoint(random);
    const zOut = zeroPoint(random);
    const [lo, hi] = [random.int(256) - 128, random.int(256) - 128].sort((a, b) => a - b);
    const clamped = new Int8Array(input.length);
    clampInt8(input, input.length, zIn, zOut, lo, hi, clamped);
    cases.push({
      label: `clamp #${i}`,
      line: driverCaseLine(bindCall('clamp', { input, count: input.length, input_zero_point: zIn, output_zero_point: zOut, act_min: lo, act_max: hi })),
      expected: joined(clamped),
    });
  }
  return cases;
}

/** sigmoid and tanh over every Q12 input in [from, to], one case. */
export function activationCase(from: number, to: number): RuntimeCase {
  const values: number[] = [];
  for (let x = from; x <= to; x++) values.push(sigmoidQ15(x), tanhQ15(x));
  return { label: `activations ${from}..${to}`, line: `activations ${from} ${to}`, expected: values.join(' ') };
}

/**
 * GRUs: half quantised from random float weights (what PTQ gives), half raw random integers (any multiplier and
 * shift, biases up to their bounds, saturated gates).
 */
export function gruCases(
  random: Random,
  count: number,
  sizes: { steps: number; inChannels: number; units: number } = { steps: 12, inChannels: 5, units: 7 },
): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    const steps = 1 + random.int(sizes.steps);
    const inChannels = 1 + random.int(sizes.inChannels);
    const units = 1 + random.int(sizes.units);
    const returnSequences = random.int(2) === 0;
    const g = 3 * units;
    const input = int8Data(random, steps * inChannels);
    let kernel: ArrayLike<number>;
    let recurrent: ArrayLike<number>;
    let bias: number[];
    let requant;
    if (i % 2 === 0) {
      const floats = Array.from({ length: 3 * units * (inChannels + units + 2) }, () => (2 * random.next() - 1) * 0.8);
      const quantized = quantizeGru(
        floats,
        inChannels,
        units,
        { scale: 2 ** (-7 + 4 * random.next()), zeroPoint: zeroPoint(random) },
        { scale: (1 + random.next()) / 255, zeroPoint: random.int(60) - 30 },
      );
      kernel = quantized.weights.slice(0, inChannels * g);
      recurrent = quantized.weights.slice(inChannels * g);
      bias = quantized.bias;
      requant = quantized.requant;
    } else {
      kernel = int8Data(random, inChannels * g);
      recurrent = int8Data(random, units * g);
      bias = [...biases(random, g, biasLimit(inChannels)), ...biases(random, g, gruRecurrentBiasLimit(units))];
      const pairs = () => Array.from({ length: g }, () => multiplierAndShift(random));
      const k = pairs();
      const r = pairs();
      const out = multiplierAndShift(random);
      requant = {
        inputZeroPoint: zeroPoint(random),
        outputZeroPoint: zeroPoint(random),
        actMin: -128,
        actMax: 127,
        kernelMultiplier: k.map((p) => p.multiplier),
        kernelShift: k.map((p) => p.shift),
        recurrentMultiplier: r.map((p) => p.multiplier),
        recurrentShift: r.map((p) => p.shift),
        outputMultiplier: out.multiplier,
        outputShift: out.shift,
      };
    }
    return callCase({
      kind: 'gru',
      label: `gru #${i} [${steps}×${inChannels}] → ${units}${returnSequences ? ' sequences' : ''}`,
      steps,
      inChannels,
      units,
      returnSequences,
      input,
      kernel,
      recurrent,
      bias,
      requant,
    });
  });
}

/**
 * ReLU evidence (a = q − zero point) and, one case in three, exp evidence through a table: the quantizer's table of a
 * random scale and zero point, or random entries up to the largest the contract allows.
 */
export function evidentialCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    const events = 1 + random.int(4);
    const zp = random.int(3) === 0 ? -128 : random.int(256) - 128;
    const table =
      random.int(3) !== 0
        ? null
        : random.int(2) === 0
          ? expEvidenceTable(2 ** (-6 + 5 * random.next()), random.int(256) - 128)
          : Array.from({ length: 256 }, () => (random.int(8) === 0 ? random.pick([0, EXP_TABLE_MAX]) : random.int(EXP_TABLE_MAX + 1)));
    // Evidence at or above the zero point (the head's ReLU clamps there); sometimes none at all, sometimes the most int8 holds.
    // With a table, any int8.
    const evidence = Int8Array.from({ length: 2 * events }, () =>
      table ? random.int(256) - 128 : random.int(6) === 0 ? random.pick([zp, 127]) : zp + random.int(128 - zp),
    );
    const pick = random.int(5);
    const oneQ16 = table
      ? EXP_TABLE_ONE_Q16
      : pick === 0
        ? random.pick([1, 2, INT32_MAX])
        : pick === 1
          ? 1 + random.int(INT32_MAX)
          : Math.round(65536 / 2 ** (-8 + 8 * random.next()));
    const threshold = random.int(4) === 0 ? random.pick([0, 32768, 1, 32767]) : random.int(32769);
    const isLast = random.int(4) === 0;
    const exitUncertainty = random.int(2) === 0 ? 'vacuity' : 'decision';
    const head = evidentialHead(evidence, zp, oneQ16, table ?? undefined, exitUncertainty);
    const exits = exitDecision(head.maxUQ15, threshold, isLast) ? 1 : 0;
    return {
      label: `evidential #${i} events ${events} K ${oneQ16}${table ? ' table' : ''} exit on ${exitUncertainty}`,
      line: `evidential ${events} ${zp} ${oneQ16} ${threshold} ${isLast ? 1 : 0} ${exitUncertainty === 'decision' ? 1 : 0} ${list(evidence)} ${list(table ?? [])}`,
      expected: [head.maxUQ15, exits, evidentialDecision(head.events), ...head.events.flatMap((e) => [e.pQ15, e.uQ15, e.present ? 1 : 0])].join(' '),
    };
  });
}

/**
 * The raw-sensor input map: random channel statistics and sensor resolutions (some channels with no sensor
 * conversion, so the fixed-point resolution is used), input scales and zero points, counts at the int16 extremes.
 */
export function rawInputCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    const samples = 1 + random.int(12);
    const C = 1 + random.int(7);
    const scale = 2 ** (random.next() * 8 - 6);
    const zeroPoint = random.int(256) - 128;
    const channels = Array.from({ length: C }, (_, c) => {
      const std = 2 ** (random.next() * 12 - 6);
      const mean = (random.next() * 2 - 1) * 4 * std;
      // A std of 16 to 1024 counts, as real sensors resolve their signals.
      const perCount = random.int(3) === 0 ? undefined : std * 2 ** (random.next() * 6 - 10);
      return { name: `ch${c}`, unit: 'u', perCount, mean, std };
    });
    const spec = rawInputSpec({ tensors: [{ shape: [samples, C], scale, zeroPoint }] } as unknown as QuantizedModel, {
      sampleRateHz: 100,
      windowLength: samples,
      hop: null,
      channels: channels.map(({ name, unit, perCount }) => ({ name, unit, ...(perCount === undefined ? {} : { perCount }) })),
      normalization: { mean: channels.map((c) => c.mean), std: channels.map((c) => c.std) },
    });
    const extremes = [-32768, 32767, 0, -1, 1];
    const raw = Int16Array.from({ length: samples * C }, () => (random.int(5) === 0 ? random.pick(extremes) : random.int(65536) - 32768));
    const conversion = spec.channels.flatMap((c) => [c.offset, c.multiplier, c.shift]);
    return {
      label: `raw_input #${i}`,
      line: driverCaseLine(bindCall('raw_input', { raw, samples, channels: C, conversion, zero_point: zeroPoint })),
      expected: joined(rawToInput(spec, raw)),
    };
  });
}

/**
 * The input-quality gate on random windows: noisy and smooth ones, runs of the zero reading, jitter steps from 0 to
 * above any bend, bounds at, just below and just above the readings, and the int8 extremes.
 */
export function inputGateCases(random: Random, count: number): RuntimeCase[] {
  return Array.from({ length: count }, (_, i) => {
    const samples = 1 + random.int(130);
    const channels = 1 + random.int(8);
    const zero = Array.from({ length: channels }, () => random.int(256) - 128);
    const spread = random.pick([0, 1, 4, 255]);
    const input = Int8Array.from({ length: samples * channels }, () => Math.max(-128, Math.min(127, random.int(2 * spread + 1) - spread)));
    const run = random.int(samples + 1);
    const start = random.int(samples - run + 1);
    for (let t = start; t < start + run; t++) for (let c = 0; c < channels; c++) input[t * channels + c] = zero[c];
    const jitterStep = random.pick([0, 1, 2, 8, 100, 1020]);
    const reading = readInputGate({ zero, jitterStep, jitterMax: 0, zeroSamplesMax: 0 }, input);
    const near = (v: number) => Math.max(0, v + random.int(3) - 1);
    const gate = { zero, jitterStep, jitterMax: near(reading.jitter), zeroSamplesMax: near(reading.zeroSamples) };
    return {
      label: `input gate #${i} ${samples}×${channels}`,
      line: `input_gate ${samples} ${channels} ${gate.jitterStep} ${gate.jitterMax} ${gate.zeroSamplesMax} ${list(zero)} ${list(input)}`,
      expected: readInputGate(gate, input).ok ? '1' : '0',
    };
  });
}
