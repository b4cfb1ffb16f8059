/**
 * CMSIS-NN (Arm's int8 kernels for Cortex-M, Apache-2.0) as the benchmark's reference: where its unmodified source
 * is (CMSIS_NN_DIR, or `shared/third_party/cmsis-nn` beside the checkout or its worktree folder), which of its files to compile, and how
 * each of the project's KernelCalls maps onto its API — the same shapes, tensors and per-channel {multiplier, shift}
 * (TFLite's convention, like ours), weights re-laid out into its OHWI / [out][in] layouts, and the best kernel its
 * wrappers pick. The program that calls them is runtime-program.ts's, so its outputs are checked against our
 * TypeScript reference byte for byte just like ours.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { KernelCall, KernelInvocation, cInt32, cInt32Array, cInt8Array } from '../../packages/core/testing/quantize/runtime-program';

/** The CMSIS-NN checkout to benchmark against, or null (with the places looked at). */
export function findCmsisNn(root: string): { dir: string } | { dir: null; looked: string[] } {
  // Beside the checkout, or beside the folder of git worktrees it is one of.
  const beside = [path.resolve(root, '..', 'shared'), path.resolve(root, '..', '..', 'shared')].map((d) => path.join(d, 'third_party', 'cmsis-nn'));
  const candidates = [process.env.CMSIS_NN_DIR, ...beside].filter((d): d is string => !!d);
  const dir = candidates.find((d) => existsSync(path.join(d, 'Include', 'arm_nnfunctions.h')));
  return dir ? { dir } : { dir: null, looked: candidates };
}

/** The source files the int8 conv / depthwise / fully-connected / pooling kernels need (unused ones are gc'd). */
export function cmsisNnSources(dir: string): string[] {
  const folders = ['ConvolutionFunctions', 'FullyConnectedFunctions', 'PoolingFunctions', 'NNSupportFunctions'];
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? walk(path.join(d, f)) : [path.join(d, f)]));
  return (
    folders
      .flatMap((f) => walk(path.join(dir, 'Source', f)))
      // Not the float kernels (f16 / f32), which need headers the int8 ones do not.
      .filter((f) => f.endsWith('.c') && !/_(f16|f32|flt)(_|\.)/.test(path.basename(f)))
      .sort()
  );
}

export const cmsisNnIncludeDirs = (dir: string): string[] => [path.join(dir, 'Include')];

/** Whether CMSIS-NN has a kernel for the call (it has no GRU; standalone clamps are not kernel calls here). */
export function cmsisImplements(call: KernelCall): boolean {
  return call.kind !== 'gru';
}

/** Scratch buffer the call asks for (bytes), as C: CMSIS-NN's own get_buffer_size for the chosen kernel. */
function bufferSizeExpression(call: KernelCall, p: string): string {
  switch (call.kind) {
    case 'conv1d':
    case 'pointwise1d':
      return `arm_convolve_wrapper_s8_get_buffer_size(&${p}_params, &${p}_in_dims, &${p}_filter_dims, &${p}_out_dims)`;
    case 'depthwise1d':
      return `arm_depthwise_conv_wrapper_s8_get_buffer_size(&${p}_params, &${p}_in_dims, &${p}_filter_dims, &${p}_out_dims)`;
    case 'dense':
      return `arm_fully_connected_s8_get_buffer_size(&${p}_filter_dims)`;
    case 'avgpool1d':
    case 'globalavgpool':
      return `arm_avgpool_s8_get_buffer_size(${p}_out_dims.w, ${p}_in_dims.c)`;
    default:
      return '0';
  }
}

/** The weights (already in CMSIS-NN's layout), bias and per-channel quantisation arrays of a linear call. */
function linearData(p: string, weights: ArrayLike<number>, l: { bias: ArrayLike<number>; multiplier: ArrayLike<number>; shift: ArrayLike<number> }): string[] {
  return [
    cInt8Array(`${p}_weights`, weights),
    cInt32Array(`${p}_bias`, l.bias),
    mutableInt32(`${p}_multiplier`, l.multiplier),
    mutableInt32(`${p}_shift`, l.shift),
    `static const cmsis_nn_per_channel_quant_params ${p}_quant = {${p}_multiplier, ${p}_shift};`,
  ];
}

const dims = (name: string, n: number, h: number, w: number, c: number) => `static const cmsis_nn_dims ${name} = {${n}, ${h}, ${w}, ${c}};`;
const mutableInt32 = (name: string, values: ArrayLike<number>) =>
  `static int32_t ${name}[${Math.max(1, values.length)}] = {${Array.from(values, cInt32).join(', ')}};`;

/**
 * The CMSIS-NN call for `call` (runtime-program.ts's KernelProgramOptions.invocation), on the scratch buffer
 * `cmsis_scratch` (cmsisPreamble); after it the program prints the scratch bytes the kernel asked for.
 */
export function cmsisInvocation(call: KernelCall, p: string): KernelInvocation {
  const data: string[] = [];
  const ctx = `cmsis_nn_context ${p}_ctx = {cmsis_scratch, (int32_t)sizeof cmsis_scratch}; `;
  const check = (expr: string) => `{ ${ctx}if (${expr} != ARM_CMSIS_NN_SUCCESS) platform_puts("cmsis-nn: argument error\\n"); }`;
  // After the call's markers: the scratch bytes its kernel asked for (CMSIS_SCRATCH_LINE).
  const after = `platform_puts("scratch ${p.slice(1)} "); put_int(${bufferSizeExpression(call, p)}); platform_puts("\\n");`;
  switch (call.kind) {
    case 'conv1d':
    case 'pointwise1d': {
      const [inLength, channels, filters, kernel, stride, pad, outLength] =
        call.kind === 'pointwise1d'
          ? [call.length, call.channels, call.filters, 1, 1, 0, call.length]
          : [call.inLength, call.channels, call.outChannels, call.kernel, call.stride, call.padBefore, call.outLength];
      const l = call.linear;
      // Ours [k][c][f] → OHWI [f][k][c].
      const ohwi = new Int8Array(filters * kernel * channels);
      for (let f = 0; f < filters; f++) for (let r = 0; r < kernel * channels; r++) ohwi[f * kernel * channels + r] = l.weights[r * filters + f];
      data.push(...linearData(p, ohwi, l));
      data.push(
        dims(`${p}_in_dims`, 1, 1, inLength, channels),
        dims(`${p}_filter_dims`, filters, 1, kernel, channels),
        dims(`${p}_bias_dims`, 1, 1, 1, filters),
        dims(`${p}_out_dims`, 1, 1, outLength, filters),
      );
      data.push(
        `static const cmsis_nn_conv_params ${p}_params = {${-l.inputZeroPoint}, ${l.outputZeroPoint}, {${stride}, 1}, {${pad}, 0}, {1, 1}, {${l.actMin}, ${l.actMax}}};`,
      );
      return {
        data,
        after,
        invoke: check(
          `arm_convolve_wrapper_s8(&${p}_ctx, &${p}_params, &${p}_quant, &${p}_in_dims, in, &${p}_filter_dims, ${p}_weights, &${p}_bias_dims, ${p}_bias, &${p}_out_dims, out)`,
        ),
      };
    }
    case 'depthwise1d': {
      const l = call.linear;
      // Ours [k][c] is already CMSIS-NN's [1][1][k][c].
      data.push(...linearData(p, l.weights, l));
      data.push(
        dims(`${p}_in_dims`, 1, 1, call.inLength, call.channels),
        dims(`${p}_filter_dims`, 1, 1, call.kernel, call.channels),
        dims(`${p}_bias_dims`, 1, 1, 1, call.channels),
        dims(`${p}_out_dims`, 1, 1, call.outLength, call.channels),
      );
      data.push(
        `static const cmsis_nn_dw_conv_params ${p}_params = {${-l.inputZeroPoint}, ${l.outputZeroPoint}, 1, {${call.stride}, 1}, {${call.padBefore}, 0}, {1, 1}, {${l.actMin}, ${l.actMax}}};`,
      );
      return {
        data,
        after,
        invoke: check(
          `arm_depthwise_conv_wrapper_s8(&${p}_ctx, &${p}_params, &${p}_quant, &${p}_in_dims, in, &${p}_filter_dims, ${p}_weights, &${p}_bias_dims, ${p}_bias, &${p}_out_dims, out)`,
        ),
      };
    }
    case 'dense': {
      const l = call.linear;
      // Ours [in][units] → [units][in].
      const rows = new Int8Array(call.units * call.inputs);
      for (let u = 0; u < call.units; u++) for (let j = 0; j < call.inputs; j++) rows[u * call.inputs + j] = l.weights[j * call.units + u];
      data.push(...linearData(p, rows, l));
      data.push(
        dims(`${p}_in_dims`, 1, 1, 1, call.inputs),
        dims(`${p}_filter_dims`, call.inputs, 1, 1, call.units),
        dims(`${p}_bias_dims`, 1, 1, 1, call.units),
        dims(`${p}_out_dims`, 1, 1, 1, call.units),
      );
      data.push(`static const cmsis_nn_fc_params ${p}_params = {${-l.inputZeroPoint}, 0, ${l.outputZeroPoint}, {${l.actMin}, ${l.actMax}}};`);
      return {
        data,
        after,
        invoke: check(
          `arm_fully_connected_per_channel_s8(&${p}_ctx, &${p}_params, &${p}_quant, &${p}_in_dims, in, &${p}_filter_dims, ${p}_weights, &${p}_bias_dims, ${p}_bias, &${p}_out_dims, out)`,
        ),
      };
    }
    case 'maxpool1d':
    case 'avgpool1d':
    case 'globalavgpool': {
      const [inLength, channels, pool, stride, outLength] =
        call.kind === 'globalavgpool'
          ? [call.length, call.channels, call.length, 1, 1]
          : [call.inLength, call.channels, call.pool, call.stride, call.outLength];
      data.push(dims(`${p}_in_dims`, 1, 1, inLength, channels), dims(`${p}_filter_dims`, 1, 1, pool, 1), dims(`${p}_out_dims`, 1, 1, outLength, channels));
      data.push(`static const cmsis_nn_pool_params ${p}_params = {{${stride}, 1}, {0, 0}, {-128, 127}};`);
      const fn = call.kind === 'maxpool1d' ? 'arm_max_pool_s8' : 'arm_avgpool_s8';
      return { data, after, invoke: check(`${fn}(&${p}_ctx, &${p}_params, &${p}_in_dims, in, &${p}_filter_dims, &${p}_out_dims, out)`) };
    }
    case 'gru':
      throw new Error('CMSIS-NN has no GRU kernel');
  }
}

/** The scratch buffer the CMSIS-NN program passes every kernel (file scope). */
export function cmsisPreamble(scratchBytes: number): string[] {
  return [`static int8_t cmsis_scratch[${scratchBytes}] __attribute__((aligned(16)));`];
}

/** `scratch <call> <bytes>`, printed after each CMSIS-NN call. */
export const CMSIS_SCRATCH_LINE = /^scratch (\d+) (-?\d+)$/gm;

/** The CMSIS-NN functions whose code is counted as the library's (everything arm_*). */
export const CMSIS_SYMBOL = /^arm_/;
