/**
 * The C runtime's function interface (firmware/runtime/*.c), written once. Everything that states it is derived
 * from this table rather than written out again, so a signature cannot drift between them:
 *   - the prototypes of firmware/runtime/tinyml_runtime.h (its GENERATED block; `npm run gen:c-abi` rewrites it),
 *   - the table-driven cases of the host test driver firmware/runtime/test/kernel_driver.c (likewise generated) and
 *     the input lines the TypeScript side writes for them (`driverCaseLine`),
 *   - every call the model emitter (codegen/emit-model.ts) and the kernel test programs (testing/quantize/runtime-program.ts)
 *     write (`cCall`: arguments by parameter name, in the table's order),
 *   - which runtime function runs each quantised op kind (`kernelForOp`, also what flash-test counts instructions of).
 * c-kernel-abi.test.ts fails when a committed generated block differs from what the table generates.
 */
import type { QuantizedOp } from './quantized-model';

export type CType =
  | 'int32_t'
  | 'const int8_t *'
  | 'const int16_t *'
  | 'const int32_t *'
  | 'const uint8_t *'
  | 'int8_t *'
  | 'int16_t *'
  | 'int32_t *'
  | 'uint8_t *'
  | 'tinyml_alarm_t *'
  | 'uint32_t'
  | 'tinyml_rr_t *'
  | 'const tinyml_rr_t *';

export interface CParam {
  readonly name: string;
  readonly type: CType;
  /**
   * For pointers: how many elements the function reads or writes, a C expression over the other parameters (for
   * an input, the least it may be given). The host driver allocates and checks buffers with it.
   */
  readonly length?: string;
  /** Written by the function: its result (`output`) or working storage it owns for the call (`scratch`). */
  readonly role?: 'output' | 'scratch';
}

export interface CKernel {
  readonly function: string;
  readonly returns: 'void' | 'int32_t' | 'int16_t';
  readonly params: readonly CParam[];
  /** The comment above the prototype in tinyml_runtime.h, one entry a line; absent for the rest of a group. */
  readonly doc?: readonly string[];
  /** The quantised op kinds the emitted model runs with this function. */
  readonly opKinds?: readonly QuantizedOp['kind'][];
  /**
   * The host driver has a generated case for it, named by the table key: it reads the parameters that are not
   * output or scratch in table order (an array as its length, then its values), calls the function and prints the
   * one int8 output. Only for void functions with exactly one int8_t * output.
   */
  readonly driverCase?: boolean;
}

const LINEAR_REQUANT = (channels: string) =>
  [
    { name: 'bias', type: 'const int32_t *', length: channels },
    { name: 'multiplier', type: 'const int32_t *', length: channels },
    { name: 'shift', type: 'const int32_t *', length: channels },
    { name: 'input_zero_point', type: 'int32_t' },
    { name: 'output_zero_point', type: 'int32_t' },
    { name: 'act_min', type: 'int32_t' },
    { name: 'act_max', type: 'int32_t' },
  ] as const;

const POOL_PARAMS = [
  { name: 'input', type: 'const int8_t *', length: '((out_length - 1) * stride + pool) * channels' },
  { name: 'channels', type: 'int32_t' },
  { name: 'pool', type: 'int32_t' },
  { name: 'stride', type: 'int32_t' },
  { name: 'out_length', type: 'int32_t' },
  { name: 'output', type: 'int8_t *', length: 'out_length * channels', role: 'output' },
] as const;

export const C_KERNELS = {
  conv1d: {
    function: 'tinyml_conv1d_s8',
    returns: 'void',
    doc: [
      'conv1d: output[t][f] = clamp(requant(bias[f] + Σ_{k,c} (input[t·stride + k − pad_before][c] − input_zero_point) ·',
      'weights[k][c][f]) + output_zero_point, act_min, act_max), t < out_length, f < filters. Taps outside the input',
      '(`same` padding) are skipped: they hold the zero point. input [in_length][in_channels], weights',
      '[kernel][in_channels][filters], bias/multiplier/shift [filters], output [out_length][filters].',
    ],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'in_length * in_channels' },
      { name: 'in_length', type: 'int32_t' },
      { name: 'in_channels', type: 'int32_t' },
      { name: 'weights', type: 'const int8_t *', length: 'kernel * in_channels * filters' },
      ...LINEAR_REQUANT('filters'),
      { name: 'kernel', type: 'int32_t' },
      { name: 'stride', type: 'int32_t' },
      { name: 'pad_before', type: 'int32_t' },
      { name: 'filters', type: 'int32_t' },
      { name: 'out_length', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'out_length * filters', role: 'output' },
    ],
    opKinds: ['conv1d'],
    driverCase: true,
  },
  depthwise1d: {
    function: 'tinyml_depthwise1d_s8',
    returns: 'void',
    doc: [
      'depthwise1d (channel multiplier 1): output[t][c] = clamp(requant(bias[c] + Σ_k (input[t·stride + k −',
      'pad_before][c] − input_zero_point) · weights[k][c]) + output_zero_point). weights [kernel][channels],',
      'bias/multiplier/shift [channels], output [out_length][channels].',
    ],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'in_length * channels' },
      { name: 'in_length', type: 'int32_t' },
      { name: 'channels', type: 'int32_t' },
      { name: 'weights', type: 'const int8_t *', length: 'kernel * channels' },
      ...LINEAR_REQUANT('channels'),
      { name: 'kernel', type: 'int32_t' },
      { name: 'stride', type: 'int32_t' },
      { name: 'pad_before', type: 'int32_t' },
      { name: 'out_length', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'out_length * channels', role: 'output' },
    ],
    opKinds: ['depthwise1d'],
    driverCase: true,
  },
  pointwise1d: {
    function: 'tinyml_pointwise1d_s8',
    returns: 'void',
    doc: [
      'pointwise1d (1×1 conv): output[t][f] = clamp(requant(bias[f] + Σ_c (input[t][c] − input_zero_point) ·',
      'weights[c][f]) + output_zero_point). weights [in_channels][filters], output [length][filters].',
    ],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'length * in_channels' },
      { name: 'length', type: 'int32_t' },
      { name: 'in_channels', type: 'int32_t' },
      { name: 'weights', type: 'const int8_t *', length: 'in_channels * filters' },
      ...LINEAR_REQUANT('filters'),
      { name: 'filters', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'length * filters', role: 'output' },
    ],
    opKinds: ['pointwise1d'],
    driverCase: true,
  },
  dense: {
    function: 'tinyml_dense_s8',
    returns: 'void',
    doc: [
      'dense on the flattened input: output[u] = clamp(requant(bias[u] + Σ_j (input[j] − input_zero_point) ·',
      'weights[j][u]) + output_zero_point), j < inputs (= T·C of a [T][C] input), weights [inputs][units].',
    ],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'inputs' },
      { name: 'inputs', type: 'int32_t' },
      { name: 'weights', type: 'const int8_t *', length: 'inputs * units' },
      ...LINEAR_REQUANT('units'),
      { name: 'units', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'units', role: 'output' },
    ],
    opKinds: ['dense'],
    driverCase: true,
  },
  maxpool1d: {
    function: 'tinyml_maxpool1d_s8',
    returns: 'void',
    doc: [
      "Pools (valid windows) on raw int8 values: the output keeps the input's scale and zero point. Averages round",
      'half away from zero, (sum ± count/2) / count, as TFLite. output [out_length][channels] ([channels] for the',
      'global average over `length` steps).',
    ],
    params: POOL_PARAMS,
    opKinds: ['maxpool1d'],
    driverCase: true,
  },
  avgpool1d: { function: 'tinyml_avgpool1d_s8', returns: 'void', params: POOL_PARAMS, opKinds: ['avgpool1d'], driverCase: true },
  globalavgpool: {
    function: 'tinyml_globalavgpool_s8',
    returns: 'void',
    params: [
      { name: 'input', type: 'const int8_t *', length: 'length * channels' },
      { name: 'length', type: 'int32_t' },
      { name: 'channels', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'channels', role: 'output' },
    ],
    opKinds: ['globalavgpool'],
    driverCase: true,
  },
  clamp: {
    function: 'tinyml_clamp_s8',
    returns: 'void',
    doc: ['A standalone ReLU/ReLU6: output[i] = clamp(input[i] − input_zero_point + output_zero_point, act_min, act_max).'],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'count' },
      { name: 'count', type: 'int32_t' },
      { name: 'input_zero_point', type: 'int32_t' },
      { name: 'output_zero_point', type: 'int32_t' },
      { name: 'act_min', type: 'int32_t' },
      { name: 'act_max', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'count', role: 'output' },
    ],
    opKinds: ['relu', 'relu6'],
    driverCase: true,
  },
  sigmoid: {
    function: 'tinyml_sigmoid_q15',
    returns: 'int16_t',
    doc: [
      'Fixed-point sigmoid and tanh: Q12 input (4096 = 1.0), Q0.15 output, a 513-entry table (activation_tables.c) with',
      'integer linear interpolation. sigmoid in [0, 32767] over [−16, 16], tanh in [−32767, 32767] over [−8, 8]; inputs',
      'outside are clamped.',
    ],
    params: [{ name: 'x_q12', type: 'int32_t' }],
  },
  tanh: { function: 'tinyml_tanh_q15', returns: 'int16_t', params: [{ name: 'x_q12', type: 'int32_t' }] },
  gru: {
    function: 'tinyml_gru_s8',
    returns: 'void',
    doc: [
      'GRU (Keras reset_after = true, gates z, r, h), the scheme of packages/core/src/quantize/kernels/gru.ts:',
      '  gates[0][k] = bias[k] + Σ_c (x_c − input_zero_point)·kernel[c][k]     gates[1][k] = bias[3u + k] + Σ_j h_j·recurrent[j][k]',
      '  X_k = requant(gates[0][k], kernel_multiplier[k], kernel_shift[k]), H_k likewise with recurrent_*: Q12 gate domain',
      '  z = σ(X_z + H_z), r = σ(X_r + H_r), ĥ = tanh(X_h + round(r·H_h / 2^15)), h ← rdbpot(z·h + (32768 − z)·ĥ, 15)',
      '  output = requant_s8(h, output_multiplier, output_shift, output_zero_point, act_min, act_max) per step',
      '  (return_sequences ≠ 0: output [steps][units]) or after the last step only (output [units]).',
      'kernel [in_channels][3u] and recurrent [units][3u] (adjacent in the blob), bias [2][3u], kernel_/recurrent_',
      'multiplier and shift [3u]. Scratch: state int16 [units] (h in Q0.15, zeroed here), gates int32 [2][3u].',
      "units ≤ 512 (the recurrent accumulator's bound).",
    ],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'steps * in_channels' },
      { name: 'steps', type: 'int32_t' },
      { name: 'in_channels', type: 'int32_t' },
      { name: 'units', type: 'int32_t' },
      { name: 'kernel', type: 'const int8_t *', length: 'in_channels * 3 * units' },
      { name: 'recurrent', type: 'const int8_t *', length: 'units * 3 * units' },
      { name: 'bias', type: 'const int32_t *', length: '6 * units' },
      { name: 'kernel_multiplier', type: 'const int32_t *', length: '3 * units' },
      { name: 'kernel_shift', type: 'const int32_t *', length: '3 * units' },
      { name: 'recurrent_multiplier', type: 'const int32_t *', length: '3 * units' },
      { name: 'recurrent_shift', type: 'const int32_t *', length: '3 * units' },
      { name: 'output_multiplier', type: 'int32_t' },
      { name: 'output_shift', type: 'int32_t' },
      { name: 'input_zero_point', type: 'int32_t' },
      { name: 'output_zero_point', type: 'int32_t' },
      { name: 'act_min', type: 'int32_t' },
      { name: 'act_max', type: 'int32_t' },
      { name: 'return_sequences', type: 'int32_t' },
      { name: 'state', type: 'int16_t *', length: 'units', role: 'scratch' },
      { name: 'gates', type: 'int32_t *', length: '6 * units', role: 'scratch' },
      { name: 'output', type: 'int8_t *', length: '(return_sequences ? steps : 1) * units', role: 'output' },
    ],
    opKinds: ['gru'],
    driverCase: true,
  },
  evidential_event: {
    function: 'tinyml_evidential_event',
    returns: 'void',
    doc: [
      'Evidential uncertainty (packages/core/src/quantize/evidential.ts): for evidence steps a, b ≥ 0 and',
      'K = evidence_one_q16, with A = a·2^16, B = b·2^16, D = A + B + 2K:',
      '  p_q15 = floor((A + K)·2^15 / D), u_q15 = ceil(2K·2^15 / D) ∈ [1, 32768].',
      'tinyml_evidential_head reads an int8 evidence tensor [e+_0, e-_0, e+_1, ...] of `events` pairs with its zero',
      'point (a = q - zero_point), or with evidence_table (exp evidence: a = evidence_table[q + 128]; NULL for ReLU),',
      'writes p_q15[events], u_q15[events], present[events] (1 when a > b) and returns the exit uncertainty: the',
      'largest u_q15, or with exit_on_decision the largest tinyml_decision_uncertainty(a, b, K) =',
      'ceil(2K·2^15 / (|A − B| + 2K)) ∈ [1, 32768], the decision uncertainty 2 / (|α − β| + 2).',
      'tinyml_exit_decision: 1 when the window leaves at this exit (max_u_q15 ≤ threshold_q15, or the last exit).',
      'tinyml_evidential_decision: the (E + 1)-class decision of a head, 0 = no event, 1 + j = event j: the present',
      'event with the highest p_q15 (the first on ties). The reference interpreter decides with evidentialDecision.',
    ],
    params: [
      { name: 'a', type: 'int32_t' },
      { name: 'b', type: 'int32_t' },
      { name: 'evidence_one_q16', type: 'int32_t' },
      { name: 'p_q15', type: 'int32_t *', length: '1', role: 'output' },
      { name: 'u_q15', type: 'int32_t *', length: '1', role: 'output' },
    ],
  },
  decision_uncertainty: {
    function: 'tinyml_decision_uncertainty',
    returns: 'int32_t',
    params: [
      { name: 'a', type: 'int32_t' },
      { name: 'b', type: 'int32_t' },
      { name: 'evidence_one_q16', type: 'int32_t' },
    ],
  },
  evidential_head: {
    function: 'tinyml_evidential_head',
    returns: 'int32_t',
    params: [
      { name: 'evidence', type: 'const int8_t *', length: '2 * events' },
      { name: 'events', type: 'int32_t' },
      { name: 'zero_point', type: 'int32_t' },
      { name: 'evidence_one_q16', type: 'int32_t' },
      { name: 'evidence_table', type: 'const int32_t *', length: '256' },
      { name: 'exit_on_decision', type: 'int32_t' },
      { name: 'p_q15', type: 'int32_t *', length: 'events', role: 'output' },
      { name: 'u_q15', type: 'int32_t *', length: 'events', role: 'output' },
      { name: 'present', type: 'uint8_t *', length: 'events', role: 'output' },
    ],
  },
  exit_decision: {
    function: 'tinyml_exit_decision',
    returns: 'int32_t',
    params: [
      { name: 'max_u_q15', type: 'int32_t' },
      { name: 'threshold_q15', type: 'int32_t' },
      { name: 'is_last_exit', type: 'int32_t' },
    ],
  },
  evidential_decision: {
    function: 'tinyml_evidential_decision',
    returns: 'int32_t',
    params: [
      { name: 'p_q15', type: 'const int32_t *', length: 'events' },
      { name: 'present', type: 'const uint8_t *', length: 'events' },
      { name: 'events', type: 'int32_t' },
    ],
  },
  raw_input: {
    function: 'tinyml_input_from_raw_s16',
    returns: 'void',
    doc: [
      "Raw sensor samples ([t][c] int16: the sensor's counts, or the unit in the fixed point manifest.json names) to the",
      "model's int8 input, the z-scoring and input quantisation folded into one map per channel; conversion holds",
      '{offset, multiplier, shift} per channel: x_q = clamp(zero_point + MBQM(raw · 2^8 − offset, multiplier, shift)).',
    ],
    params: [
      { name: 'raw', type: 'const int16_t *', length: 'samples * channels' },
      { name: 'samples', type: 'int32_t' },
      { name: 'channels', type: 'int32_t' },
      { name: 'conversion', type: 'const int32_t *', length: '3 * channels' },
      { name: 'zero_point', type: 'int32_t' },
      { name: 'output', type: 'int8_t *', length: 'samples * channels', role: 'output' },
    ],
    driverCase: true,
  },
  input_gate: {
    function: 'tinyml_input_gate',
    returns: 'int32_t',
    doc: [
      'The input-quality gate (packages/core/src/quantize/input-gate.ts) on the int8 input [t][c]: 1 when the window',
      'passes, i.e. at most jitter_max second differences |x[t+1][c] - 2 x[t][c] + x[t-1][c]| exceed jitter_step and',
      'the samples whose every channel equals zero[c] (a raw reading of 0) number <= zero_samples_max; else 0.',
    ],
    params: [
      { name: 'input', type: 'const int8_t *', length: 'samples * channels' },
      { name: 'samples', type: 'int32_t' },
      { name: 'channels', type: 'int32_t' },
      { name: 'zero', type: 'const int8_t *', length: 'channels' },
      { name: 'jitter_step', type: 'int32_t' },
      { name: 'jitter_max', type: 'int32_t' },
      { name: 'zero_samples_max', type: 'int32_t' },
    ],
  },
  alarm_init: {
    function: 'tinyml_alarm_init',
    returns: 'void',
    doc: ['The alarm rule on the stream of window decisions: tinyml_alarm_t above says what it computes.'],
    params: [
      { name: 'alarm', type: 'tinyml_alarm_t *', length: '1', role: 'output' },
      { name: 'k', type: 'int32_t' },
      { name: 'n', type: 'int32_t' },
      { name: 'refractory_samples', type: 'int32_t' },
      { name: 'events', type: 'int32_t' },
      { name: 'history', type: 'uint8_t *', length: 'n', role: 'scratch' },
      { name: 'votes', type: 'int32_t *', length: 'events', role: 'scratch' },
      { name: 'hold', type: 'int32_t *', length: 'events', role: 'scratch' },
    ],
  },
  alarm_reset: {
    function: 'tinyml_alarm_reset',
    returns: 'void',
    params: [{ name: 'alarm', type: 'tinyml_alarm_t *', length: '1', role: 'output' }],
  },
  alarm_update: {
    function: 'tinyml_alarm_update',
    returns: 'int32_t',
    params: [
      { name: 'alarm', type: 'tinyml_alarm_t *', length: '1', role: 'output' },
      { name: 'decision', type: 'int32_t' },
      { name: 'elapsed_samples', type: 'int32_t' },
      { name: 'alarms', type: 'uint8_t *', length: 'alarm->events', role: 'output' },
    ],
  },
  rr_reset: {
    function: 'tinyml_rr_reset',
    returns: 'void',
    doc: ['RR-interval features of beats: tinyml_rr_t above says what they are and how to feed them.'],
    params: [{ name: 'rr', type: 'tinyml_rr_t *', length: '1', role: 'output' }],
  },
  rr_push: {
    function: 'tinyml_rr_push',
    returns: 'void',
    params: [
      { name: 'rr', type: 'tinyml_rr_t *', length: '1', role: 'output' },
      { name: 'r_peak_sample', type: 'uint32_t' },
    ],
  },
  rr_features: {
    function: 'tinyml_rr_features',
    returns: 'int32_t',
    params: [
      { name: 'rr', type: 'const tinyml_rr_t *', length: '1' },
      { name: 'features', type: 'int16_t *', length: '3', role: 'output' },
    ],
  },
} as const satisfies Readonly<Record<string, CKernel>>;

export type CKernelName = keyof typeof C_KERNELS;
type ParamOf<K extends CKernelName> = (typeof C_KERNELS)[K]['params'][number];
/** Every parameter of kernel K, by name: what a call site must give. */
export type CArgs<K extends CKernelName> = Readonly<Record<ParamOf<K>['name'], string | number>>;
/** The parameters of K the caller supplies data for (not its outputs or scratch): numbers and integer arrays. */
export type CData<K extends CKernelName> = Readonly<Record<Exclude<ParamOf<K>, { readonly role: 'output' | 'scratch' }>['name'], number | ArrayLike<number>>>;

/** A call of some kernel with its data, the kernel erased (what the test-program writers pass around). */
export interface BoundCall {
  readonly kernel: CKernelName;
  readonly data: Readonly<Record<string, number | ArrayLike<number>>>;
}

export const kernelOf = (name: CKernelName): CKernel => C_KERNELS[name];

export const bindCall = <K extends CKernelName>(kernel: K, data: CData<K>): BoundCall => ({ kernel, data });

const isPointer = (param: CParam) => param.type.endsWith('*');

/** The parameters a caller supplies data for, in table order. */
export function dataParams(kernel: CKernel): readonly CParam[] {
  return kernel.params.filter((p) => p.role === undefined);
}

/** The table kernel that runs a quantised op kind. */
export function kernelForOp(kind: QuantizedOp['kind']): CKernelName {
  const names = (Object.keys(C_KERNELS) as CKernelName[]).filter((name) => (kernelOf(name).opKinds ?? []).includes(kind));
  if (names.length !== 1) throw new Error(`c-kernel-abi: ${names.length} kernels run op kind ${kind}, expected one`);
  return names[0];
}

/** Kernels the emitted model calls for its ops, by function name (what instruction counts are reported for). */
export const OP_KERNEL_FUNCTIONS: readonly string[] = Object.values(C_KERNELS as Readonly<Record<string, CKernel>>)
  .filter((k) => k.opKinds !== undefined)
  .map((k) => k.function);

export interface CCallLayout {
  /** The indentation of the line the call starts on; continuation lines align one past its `(`. */
  indent?: string;
  /** Parameter names to start a new line at. */
  breakBefore?: readonly string[];
}

/**
 * A call of `kernel` as C, every argument given by parameter name and written in the table's order. Missing or
 * unknown names throw (and do not type-check), so a call site cannot pass arguments in a stale order.
 */
export function cCall<K extends CKernelName>(name: K, args: CArgs<K>, layout: CCallLayout = {}): string {
  return callText(kernelOf(name), args, layout);
}

/** cCall for a kernel known only at run time: the names are checked when the call is written. */
export function cCallOf(name: CKernelName, args: Readonly<Record<string, string | number>>, layout: CCallLayout = {}): string {
  return callText(kernelOf(name), args, layout);
}

function callText(kernel: CKernel, args: Readonly<Record<string, string | number>>, layout: CCallLayout): string {
  const unknown = Object.keys(args).filter((key) => !kernel.params.some((p) => p.name === key));
  if (unknown.length > 0) throw new Error(`${kernel.function} has no parameter ${unknown.join(', ')}`);
  const continuation = `${layout.indent ?? ''}${' '.repeat(kernel.function.length + 1)}`;
  const parts = kernel.params.map((param, i) => {
    const value = args[param.name];
    if (value === undefined) throw new Error(`${kernel.function}: no argument for ${param.name}`);
    const separator = i === 0 ? '' : layout.breakBefore?.includes(param.name) ? `,\n${continuation}` : ', ';
    return `${separator}${value}`;
  });
  return `${kernel.function}(${parts.join('')})`;
}

/** The input line of a driver case (firmware/runtime/test/kernel_driver.c): the case name, then the data in table order. */
export function driverCaseLine(call: BoundCall): string {
  const kernel = kernelOf(call.kernel);
  if (!kernel.driverCase) throw new Error(`kernel_driver.c has no generated case for ${call.kernel}`);
  const words: string[] = [call.kernel];
  for (const param of dataParams(kernel)) {
    const value = call.data[param.name];
    if (value === undefined) throw new Error(`${call.kernel}: no data for ${param.name}`);
    if (isPointer(param) !== (typeof value !== 'number')) throw new Error(`${call.kernel}: ${param.name} is ${isPointer(param) ? 'an array' : 'a number'}`);
    if (typeof value === 'number') words.push(`${value}`);
    else words.push(`${value.length}`, ...Array.from(value, (v) => `${v}`));
  }
  return words.join(' ');
}

// ---- Generated C ----------------------------------------------------------------------------------------------

const WIDTH = 120;

/** A comma list after `head`, wrapped at WIDTH with continuation lines aligned one past `head`. */
function wrapList(head: string, items: readonly string[], tail: string, indent = ''): string {
  const lines: string[] = [];
  let line = `${indent}${head}`;
  const pad = ' '.repeat(indent.length + head.length);
  items.forEach((item, i) => {
    const text = `${item}${i + 1 < items.length ? ',' : tail}`;
    const fresh = line.trim().length === 0 || line.endsWith('(');
    if (!fresh && line.length + 1 + text.length > WIDTH) {
      lines.push(line);
      line = `${pad}${text}`;
    } else line += `${fresh ? '' : ' '}${text}`;
  });
  lines.push(line);
  return lines.join('\n');
}

const declaration = (param: CParam) => (isPointer(param) ? `${param.type}${param.name}` : `${param.type} ${param.name}`);

function comment(lines: readonly string[]): string[] {
  return lines.length === 1 ? [`/* ${lines[0]} */`] : ['/*', ...lines.map((l) => ` * ${l}`.trimEnd()), ' */'];
}

/** tinyml_runtime.h's prototypes, each with its group's comment. */
export function headerPrototypes(): string {
  const out: string[] = [];
  for (const kernel of Object.values(C_KERNELS as Readonly<Record<string, CKernel>>)) {
    if (kernel.doc) out.push('', ...comment(kernel.doc));
    out.push(wrapList(`${kernel.returns} ${kernel.function}(`, kernel.params.map(declaration), ');'));
  }
  return out.slice(1).join('\n');
}

const READER: Partial<Record<CType, string>> = {
  'const int8_t *': 'read_i8s',
  'const int16_t *': 'read_i16s',
  'const int32_t *': 'read_i32s',
};

/** kernel_driver.c's table-driven cases: one function that runs a case by name, or returns 0 for another name. */
export function driverCases(): string {
  const out = [
    '/* Runs the case `name` if the table has it (reading its data, printing its output); returns 0 otherwise. */',
    'static int32_t run_table_case(const char *name)',
    '{',
  ];
  for (const [name, kernel] of Object.entries(C_KERNELS as Readonly<Record<string, CKernel>>)) {
    if (!kernel.driverCase) continue;
    const outputs = kernel.params.filter((p) => p.role === 'output');
    if (kernel.returns !== 'void' || outputs.length !== 1 || outputs[0].type !== 'int8_t *') {
      throw new Error(`c-kernel-abi: ${name}: a driver case needs a void function with one int8_t * output`);
    }
    const output = outputs[0];
    const body: string[] = [];
    const checks: string[] = [];
    const frees: string[] = [];
    for (const param of dataParams(kernel)) {
      if (!isPointer(param)) {
        body.push(`const int32_t ${param.name} = read_i32();`);
        continue;
      }
      const reader = READER[param.type];
      if (!reader || param.length === undefined) throw new Error(`c-kernel-abi: ${name}.${param.name}: the driver cannot read a ${param.type}`);
      body.push(`int32_t ${param.name}_count;`, `${param.type.replace('const ', '')}${param.name} = ${reader}(&${param.name}_count);`);
      checks.push(`require_length("${name}", "${param.name}", ${param.name}_count, ${param.length});`);
      frees.push(`free(${param.name});`);
    }
    body.push(...checks);
    for (const param of kernel.params.filter((p) => p.role !== undefined)) {
      const element = param.type.replace(' *', '');
      body.push(`${param.type}${param.name} = buffer(${param.length}, sizeof(${element}));`);
      frees.push(`free(${param.name});`);
    }
    const call = wrapList(
      `${kernel.function}(`,
      kernel.params.map((p) => p.name),
      ');',
      '        ',
    );
    const after = [`print_i8s(${output.name}, ${output.length});`, ...frees, 'return 1;'];
    out.push(`    if (strcmp(name, "${name}") == 0) {`, ...body.map((line) => `        ${line}`), call, ...after.map((line) => `        ${line}`), '    }');
  }
  out.push('    return 0;', '}');
  return out.join('\n');
}

/** The markers around a generated block in a C file. */
export function generatedMarkers(what: string): { begin: string; end: string } {
  return {
    begin: `/* BEGIN GENERATED ${what}: npm run gen:c-abi writes this block from packages/core/src/quantize/c-kernel-abi.ts; do not edit. */`,
    end: `/* END GENERATED ${what} */`,
  };
}

/** `text` with its generated block (between the markers) replaced by `block`. */
export function withGeneratedBlock(text: string, what: string, block: string): string {
  const { begin, end } = generatedMarkers(what);
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from || text.indexOf(begin, from + 1) >= 0) throw new Error(`expected one "${begin}" … "${end}" block`);
  return `${text.slice(0, from + begin.length)}\n${block}\n${text.slice(to)}`;
}

/** The files the table generates a block of, relative to the workspace root, with the block. */
export const GENERATED_C_BLOCKS: readonly { file: string; what: string; block: () => string }[] = [
  { file: 'firmware/runtime/tinyml_runtime.h', what: 'prototypes', block: headerPrototypes },
  { file: 'firmware/runtime/test/kernel_driver.c', what: 'driver cases', block: driverCases },
];
