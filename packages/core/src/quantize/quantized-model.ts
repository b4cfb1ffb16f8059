import type { InputGate } from './input-gate';
import type { ModelIR } from '../model/ir';
import type { TensorRange } from './calibrate';
import type { GruRequant } from './kernels/gru';
import type { ChannelRequant } from './kernels/requant-params';

/**
 * The int8 model PTQ produces (ptq.ts) and the reference interpreter runs (interpreter.ts): plain JSON, canonical
 * (canonicalJson of the same PTQ inputs is byte-identical), holding every number the firmware needs; flash-blob.ts
 * lays it out exactly as model/memory.ts declares.
 *
 * Tensors follow model/ops.ts: tensor 0 is the input, op j writes tensor j + 1 and reads tensor `input`. Scales are
 * float64 (for dequantisation and reports); the integer pipeline only reads zero points, clamps, {multiplier, shift}
 * pairs and the int arrays.
 */
export const QUANTIZED_MODEL_FORMAT = 'nx-tinyml-int8/1';

export interface QuantizedTensor {
  shape: [number, number];
  scale: number;
  zeroPoint: number;
}

/** A scale as the model header stores it: scale ≈ multiplier · 2^(shift − 31). */
export interface EncodedQuant {
  zeroPoint: number;
  multiplier: number;
  shift: number;
}

interface OpCommon {
  index: number;
  /** The tensor the op reads; it writes tensor index + 1. */
  input: number;
  branch: number | null;
  exit: number | null;
  inputShape: [number, number];
  outputShape: [number, number];
}

export interface QuantizedLinearOp extends OpCommon {
  kind: 'conv1d' | 'depthwise1d' | 'pointwise1d' | 'dense';
  /** Window geometry (conv1d, depthwise1d; 1, 1, 0 for the others). */
  kernel: number;
  stride: number;
  padBefore: number;
  /** The op header {input_zero_point, output_zero_point, act_min, act_max} and per-channel multiplier/shift. */
  requant: ChannelRequant & { multiplier: number[]; shift: number[] };
  /** int32 [C_out] at s_in·s_w[c]. */
  bias: number[];
  /** int8, params.ts layout. */
  weights: number[];
  weightScales: number[];
}

export interface QuantizedGruOp extends OpCommon {
  kind: 'gru';
  units: number;
  returnSequences: boolean;
  requant: GruRequant & { kernelMultiplier: number[]; kernelShift: number[]; recurrentMultiplier: number[]; recurrentShift: number[] };
  /** int32 [2][3u]: row 0 at s_x·s_W[k], row 1 at 2^−15·s_U[k]. */
  bias: number[];
  /** int8 kernel [inC][3u] then recurrent [u][3u]. */
  weights: number[];
  kernelScales: number[];
  recurrentScales: number[];
}

export interface QuantizedClampOp extends OpCommon {
  kind: 'relu' | 'relu6';
  clamp: { inputZeroPoint: number; outputZeroPoint: number; actMin: number; actMax: number };
}

export interface QuantizedPoolOp extends OpCommon {
  kind: 'maxpool1d' | 'avgpool1d';
  pool: number;
  stride: number;
}

export interface QuantizedGlobalPoolOp extends OpCommon {
  kind: 'globalavgpool';
}

export type QuantizedOp = QuantizedLinearOp | QuantizedGruOp | QuantizedClampOp | QuantizedPoolOp | QuantizedGlobalPoolOp;

/** One row of the exit table (evidential models): per prediction in run order, the final one last. */
export interface QuantizedExit {
  exit: number;
  /** The evidence tensor (the output of the op marked with this exit). */
  tensor: number;
  /** max(1, round(2^16 / s)) of the evidence tensor, or EXP_TABLE_ONE_Q16 with an evidence table (evidential.ts). */
  evidenceOneQ16: number;
  /** Exp evidence only: the 256-entry table of the evidence tensor (evidential.ts expEvidenceTable). */
  evidenceTable?: number[];
  /** Leave here when max u_q15 ≤ this; 0 never, 32768 always (the final exit's row holds 32768). */
  thresholdQ15: number;
}

export interface QuantizedModel {
  format: typeof QUANTIZED_MODEL_FORMAT;
  ir: ModelIR;
  /** The model header: the input tensor and the output (final prediction) tensor. */
  header: { input: EncodedQuant; output: EncodedQuant };
  tensors: QuantizedTensor[];
  ops: QuantizedOp[];
  /** Empty unless the head is evidential. */
  exits: QuantizedExit[];
  /** The input-quality gate (input-gate.ts); absent when quantize.inputGate is off or the model has no exits. */
  inputGate?: InputGate;
  calibration: { windows: number; percentile: number | null; ranges: TensorRange[] };
}
