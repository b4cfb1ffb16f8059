/**
 * Kernel calls as data, for running the C runtime's linear kernels on a target rather than the host: a KernelCall
 * holds one invocation's shapes, tensors and requantisation; `referenceOutput` computes what it must produce with
 * the TypeScript kernels (the golden model), `driverLine` writes it for firmware/runtime/test/kernel_driver.c, and
 * `emitKernelProgram` writes a self-checking firmware program (platform.h: semihosting output, instruction-count
 * markers) that calls each kernel once between two markers, compares its output with the reference byte for byte
 * and prints one line per call. Used by the on-QEMU bit-exactness spec (c-runtime-qemu.test.ts) and by the kernel
 * benchmark (tools/bench/kernels.ts).
 */
import { C_PUT_INT, cArray } from '../../src/codegen/c-syntax';
import { bindCall, BoundCall, C_KERNELS, cCallOf, driverCaseLine, kernelOf } from '../../src/quantize/c-kernel-abi';
import { conv1dInt8 } from '../../src/quantize/kernels/conv1d';
import { denseInt8 } from '../../src/quantize/kernels/dense';
import { depthwise1dInt8 } from '../../src/quantize/kernels/depthwise1d';
import { gruInt8, GruRequant } from '../../src/quantize/kernels/gru';
import { pointwise1dInt8 } from '../../src/quantize/kernels/pointwise1d';
import { avgPool1dInt8, globalAvgPoolInt8, maxPool1dInt8 } from '../../src/quantize/kernels/pool';
import type { ChannelRequant } from '../../src/quantize/kernels/requant-params';

/** Weights, int32 biases and the per-channel requantisation of a linear kernel. */
export interface LinearParams extends ChannelRequant {
  weights: ArrayLike<number>;
  bias: ArrayLike<number>;
  multiplier: ArrayLike<number>;
  shift: ArrayLike<number>;
}

interface PoolCall {
  label: string;
  inLength: number;
  channels: number;
  pool: number;
  stride: number;
  outLength: number;
  input: ArrayLike<number>;
}

export type KernelCall =
  | {
      kind: 'conv1d' | 'depthwise1d';
      label: string;
      inLength: number;
      channels: number;
      kernel: number;
      stride: number;
      padBefore: number;
      /** filters for conv1d; = channels for depthwise1d. */
      outChannels: number;
      outLength: number;
      input: ArrayLike<number>;
      linear: LinearParams;
    }
  | { kind: 'pointwise1d'; label: string; length: number; channels: number; filters: number; input: ArrayLike<number>; linear: LinearParams }
  | { kind: 'dense'; label: string; inputs: number; units: number; input: ArrayLike<number>; linear: LinearParams }
  | {
      kind: 'gru';
      label: string;
      steps: number;
      inChannels: number;
      units: number;
      returnSequences: boolean;
      input: ArrayLike<number>;
      kernel: ArrayLike<number>;
      recurrent: ArrayLike<number>;
      bias: ArrayLike<number>;
      requant: GruRequant;
    }
  | ({ kind: 'maxpool1d' } & PoolCall)
  | ({ kind: 'avgpool1d' } & PoolCall)
  | { kind: 'globalavgpool'; label: string; length: number; channels: number; input: ArrayLike<number> };

/** Output elements of a call. */
export function outputSize(call: KernelCall): number {
  switch (call.kind) {
    case 'conv1d':
    case 'depthwise1d':
      return call.outLength * call.outChannels;
    case 'pointwise1d':
      return call.length * call.filters;
    case 'dense':
      return call.units;
    case 'gru':
      return (call.returnSequences ? call.steps : 1) * call.units;
    case 'maxpool1d':
    case 'avgpool1d':
      return call.outLength * call.channels;
    case 'globalavgpool':
      return call.channels;
  }
}

/** What the TypeScript reference kernels compute for the call. */
export function referenceOutput(call: KernelCall): Int8Array {
  const output = new Int8Array(outputSize(call));
  switch (call.kind) {
    case 'conv1d':
    case 'depthwise1d': {
      const geometry = {
        inLength: call.inLength,
        channels: call.channels,
        kernel: call.kernel,
        stride: call.stride,
        padBefore: call.padBefore,
        outLength: call.outLength,
      };
      if (call.kind === 'conv1d') conv1dInt8(call.input, call.linear.weights, call.linear.bias, call.linear, geometry, call.outChannels, output);
      else depthwise1dInt8(call.input, call.linear.weights, call.linear.bias, call.linear, geometry, output);
      return output;
    }
    case 'pointwise1d':
      pointwise1dInt8(call.input, call.linear.weights, call.linear.bias, call.linear, call.length, call.channels, call.filters, output);
      return output;
    case 'dense':
      denseInt8(call.input, call.linear.weights, call.linear.bias, call.linear, call.inputs, call.units, output);
      return output;
    case 'gru': {
      const shape = { steps: call.steps, inChannels: call.inChannels, units: call.units, returnSequences: call.returnSequences };
      gruInt8(call.input, call.kernel, call.recurrent, call.bias, call.requant, shape, new Int16Array(call.units), new Int32Array(6 * call.units), output);
      return output;
    }
    case 'maxpool1d':
    case 'avgpool1d':
      (call.kind === 'maxpool1d' ? maxPool1dInt8 : avgPool1dInt8)(call.input, call, output);
      return output;
    case 'globalavgpool':
      globalAvgPoolInt8(call.input, call.length, call.channels, output);
      return output;
  }
}

/** The call's data by the runtime's parameter names (quantize/c-kernel-abi.ts): what both the driver line and the program pass. */
export function callData(call: KernelCall): BoundCall {
  switch (call.kind) {
    case 'conv1d':
    case 'depthwise1d': {
      const window = {
        input: call.input,
        in_length: call.inLength,
        kernel: call.kernel,
        stride: call.stride,
        pad_before: call.padBefore,
        out_length: call.outLength,
      };
      return call.kind === 'conv1d'
        ? bindCall('conv1d', { ...window, in_channels: call.channels, filters: call.outChannels, ...linearData(call.linear) })
        : bindCall('depthwise1d', { ...window, channels: call.channels, ...linearData(call.linear) });
    }
    case 'pointwise1d':
      return bindCall('pointwise1d', { input: call.input, length: call.length, in_channels: call.channels, filters: call.filters, ...linearData(call.linear) });
    case 'dense':
      return bindCall('dense', { input: call.input, inputs: call.inputs, units: call.units, ...linearData(call.linear) });
    case 'gru': {
      const r = call.requant;
      return bindCall('gru', {
        input: call.input,
        steps: call.steps,
        in_channels: call.inChannels,
        units: call.units,
        kernel: call.kernel,
        recurrent: call.recurrent,
        bias: call.bias,
        kernel_multiplier: r.kernelMultiplier,
        kernel_shift: r.kernelShift,
        recurrent_multiplier: r.recurrentMultiplier,
        recurrent_shift: r.recurrentShift,
        output_multiplier: r.outputMultiplier,
        output_shift: r.outputShift,
        input_zero_point: r.inputZeroPoint,
        output_zero_point: r.outputZeroPoint,
        act_min: r.actMin,
        act_max: r.actMax,
        return_sequences: call.returnSequences ? 1 : 0,
      });
    }
    case 'maxpool1d':
    case 'avgpool1d':
      return bindCall(call.kind, { input: call.input, channels: call.channels, pool: call.pool, stride: call.stride, out_length: call.outLength });
    case 'globalavgpool':
      return bindCall('globalavgpool', { input: call.input, length: call.length, channels: call.channels });
  }
}

function linearData(l: LinearParams) {
  return {
    weights: l.weights,
    bias: l.bias,
    multiplier: l.multiplier,
    shift: l.shift,
    input_zero_point: l.inputZeroPoint,
    output_zero_point: l.outputZeroPoint,
    act_min: l.actMin,
    act_max: l.actMax,
  };
}

/** The call as one input line of the host driver (firmware/runtime/test/kernel_driver.c). */
export function driverLine(call: KernelCall): string {
  return driverCaseLine(callData(call));
}

/** MACs of a call as the cost model counts them (model/cost.ts layerMacs: padded taps included). */
export function callMacs(call: KernelCall): number {
  switch (call.kind) {
    case 'conv1d':
      return call.outLength * call.kernel * call.channels * call.outChannels;
    case 'depthwise1d':
      return call.outLength * call.kernel * call.channels;
    case 'pointwise1d':
      return call.length * call.channels * call.filters;
    case 'dense':
      return call.inputs * call.units;
    case 'gru':
      return call.steps * (3 * call.inChannels * call.units + 3 * call.units * call.units);
    default:
      return 0; // pools
  }
}

/** The C function each kind calls. */
export const KERNEL_FUNCTION: Readonly<Record<KernelCall['kind'], string>> = {
  conv1d: C_KERNELS.conv1d.function,
  depthwise1d: C_KERNELS.depthwise1d.function,
  pointwise1d: C_KERNELS.pointwise1d.function,
  dense: C_KERNELS.dense.function,
  gru: C_KERNELS.gru.function,
  maxpool1d: C_KERNELS.maxpool1d.function,
  avgpool1d: C_KERNELS.avgpool1d.function,
  globalavgpool: C_KERNELS.globalavgpool.function,
};

/** C literals: an int32 (INT32_MIN spelled without overflow), and constant int8 / int32 arrays. */
export const cInt32 = (v: number): string => (v === -2147483648 ? '(-2147483647 - 1)' : `${v}`);
export const cInt8Array = (name: string, values: ArrayLike<number>): string =>
  `static const int8_t ${name}[${Math.max(1, values.length)}] = ${cArray(Array.from(values), 24, (v) => `${v}`)};`;
export const cInt32Array = (name: string, values: ArrayLike<number>): string =>
  `static const int32_t ${name}[${Math.max(1, values.length)}] = ${cArray(Array.from(values), 8, cInt32)};`;
const s8 = cInt8Array;
const s32 = cInt32Array;
const i32 = cInt32;

/**
 * How the project's runtime is called for `call`: the constant arrays it needs (named after prefix `p`) and the
 * call. The input is the RAM copy `in`, the output `out`, scratch the program's `<kernel>_<parameter>` buffers.
 */
export function tinymlInvocation(call: KernelCall, p: string): KernelInvocation {
  const bound = callData(call);
  const kernel = kernelOf(bound.kernel);
  const data: string[] = [];
  const args: Record<string, string> = {};
  for (const param of kernel.params) {
    const value = bound.data[param.name];
    if (param.role === 'output') args[param.name] = 'out';
    else if (param.role === 'scratch') args[param.name] = `${bound.kernel}_${param.name}`;
    else if (param.name === 'input') args[param.name] = 'in';
    else if (typeof value === 'number') args[param.name] = i32(value);
    else if (param.type === 'const int8_t *') data.push(s8((args[param.name] = `${p}_${param.name}`), value));
    else if (param.type === 'const int32_t *') data.push(s32((args[param.name] = `${p}_${param.name}`), value));
    else throw new Error(`tinymlInvocation: ${kernel.function}.${param.name} (${param.type}) is not an array the program can hold`);
  }
  return { data, invoke: cCallOf(bound.kernel, args) };
}

/** What the program prints for each call (`ok <i>` or `MISMATCH <i> <output...>`) and at the end. */
export const PROGRAM_RESULT_LINE = /^kernels: (\d+)\/(\d+) bit-exact$/m;

/** C source for one call: constant arrays (file scope) and the statement that runs it on `in`, writing `out`. */
export interface KernelInvocation {
  data: string[];
  invoke: string;
  /** Statements after the call's closing marker (not counted), e.g. printing what the call used. */
  after?: string;
}

export interface KernelProgramOptions {
  /** Another library's implementation of the calls (the benchmark's CMSIS-NN build); default the project's runtime. */
  invocation?: (call: KernelCall, prefix: string) => KernelInvocation;
  /** Headers that implementation needs besides tinyml_runtime.h. */
  includes?: string[];
  /** Extra file-scope declarations (e.g. a scratch buffer). */
  preamble?: string[];
  /**
   * Input tensors in a RAM copy (as the arena holds activations) at this byte offset from a 16-byte boundary, so
   * unaligned rows are exercised; default 0. Weights, biases and requantisation stay const, as in the flash blob.
   */
  inputMisalignment?: number;
}

/**
 * A firmware program (C11, platform.h) that runs the calls in order. Per call: copy its input into RAM,
 * platform_marker(), the kernel, platform_marker(), compare with the reference. Markers are therefore two per call,
 * in call order: the instructions between a call's markers are the kernel call's (callees included). Exit status 0
 * when every output is bit-exact, 1 otherwise.
 */
export function emitKernelProgram(calls: readonly KernelCall[], options: KernelProgramOptions = {}): string {
  const misalign = options.inputMisalignment ?? 0;
  let maxInput = 1;
  let maxOutput = 1;
  let maxUnits = 1;
  const data: string[] = [];
  const runs: string[] = [];
  calls.forEach((call, i) => {
    const p = `c${i}`;
    const expected = referenceOutput(call);
    maxInput = Math.max(maxInput, call.input.length);
    maxOutput = Math.max(maxOutput, expected.length);
    data.push(`/* ${i}: ${call.label.replace(/\*\//g, '* /')} */`);
    data.push(s8(`${p}_input`, call.input));
    data.push(s8(`${p}_expected`, expected));
    const { data: callData, invoke, after } = (options.invocation ?? tinymlInvocation)(call, p);
    data.push(...callData);
    if (call.kind === 'gru') maxUnits = Math.max(maxUnits, call.units);
    runs.push(
      `static int32_t run_${p}(void)`,
      '{',
      `  int8_t *in = input_buffer + ${misalign};`,
      `  for (int32_t i = 0; i < ${call.input.length}; i++) in[i] = ${p}_input[i];`,
      `  for (int32_t i = 0; i < ${expected.length}; i++) out[i] = 0;`,
      '  platform_marker();',
      `  ${invoke};`,
      '  platform_marker();',
      ...(after ? [`  ${after}`] : []),
      `  return report(${i}, ${p}_expected, ${expected.length});`,
      '}',
      '',
    );
  });
  return [
    '/* Generated by nx-tinyml (packages/core/src/quantize/runtime-program.ts); do not edit. */',
    '#include <stdint.h>',
    '',
    '#include "platform.h"',
    '#include "tinyml_runtime.h"',
    ...(options.includes ?? []).map((h) => `#include "${h}"`),
    '',
    `static int8_t input_buffer[${maxInput + misalign}] __attribute__((aligned(16)));`,
    `static int8_t out[${maxOutput}];`,
    ...(calls.some((c) => c.kind === 'gru') ? [`static int16_t gru_state[${maxUnits}];`, `static int32_t gru_gates[${6 * maxUnits}];`] : []),
    ...(options.preamble ?? []),
    '',
    ...C_PUT_INT,
    '',
    '/* Prints "ok <i>" or "MISMATCH <i> <the output>"; returns 1 when bit-exact. */',
    'static int32_t report(int32_t index, const int8_t *expected, int32_t n)',
    '{',
    '  int32_t same = 1;',
    '  for (int32_t i = 0; i < n; i++) same &= out[i] == expected[i];',
    '  platform_puts(same ? "ok " : "MISMATCH ");',
    '  put_int(index);',
    '  for (int32_t i = 0; !same && i < n; i++) {',
    '    platform_puts(" ");',
    '    put_int(out[i]);',
    '  }',
    '  platform_puts("\\n");',
    '  return same;',
    '}',
    '',
    ...data,
    '',
    ...runs,
    'int main(void)',
    '{',
    '  platform_init();',
    '  int32_t passed = 0;',
    ...calls.map((_, i) => `  passed += run_c${i}();`),
    '  platform_puts("kernels: ");',
    '  put_int(passed);',
    '  platform_puts("/");',
    `  put_int(${calls.length});`,
    '  platform_puts(" bit-exact\\n");',
    `  return passed == ${calls.length} ? 0 : 1;`,
    '}',
    '',
  ].join('\n');
}
