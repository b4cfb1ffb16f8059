import { canonicalJson } from '../common/canonical-json';
import { evidenceFunctionOf } from '../model/evidence';
import type { EvidenceFunction, ModelIR } from '../model/ir';
import { DeployedOp, lowerToOps } from '../model/ops';
import { samePadding } from '../model/shapes';
import { calibrateRanges, CalibrationSettings, TensorRange } from './calibrate';
import { evidenceOneQ16, EXP_TABLE_ONE_Q16, expEvidenceTable, U_Q15_ONE } from './evidential';
import { FloatOps } from './float-ops';
import { foldedOpParams } from './fold';
import { quantizeGru } from './gru-quant';
import { linearTaps, quantizeLinear, activationBounds } from './linear-quant';
import { cascadeWeights, ModelWeights } from './model-weights';
import { EncodedQuant, QUANTIZED_MODEL_FORMAT, QuantizedExit, QuantizedModel, QuantizedOp, QuantizedTensor } from './quantized-model';
import { quantizeMultiplier } from './requantize';
import { TensorQuant, chooseActivationQuant, quantizeValue } from './tensor-quant';

export interface PtqOptions extends CalibrationSettings {
  /**
   * Evidential cascades: threshold_q15 per early exit (ModelIR.exits order); a window leaves exit k when its max
   * u_q15 ≤ thresholdsQ15[k]. Default 0 for every exit (never leave early): thresholds are chosen after PTQ, on the
   * int8 model's own uncertainties (interpreter with runAllExits), and set with withExitThresholds.
   */
  thresholdsQ15?: number[];
}

/**
 * Post-training quantisation of a float model: batch-norms folded into their linear layers, the float op list run
 * over the calibration windows (already z-scored, [T·C] row-major each) to find every activation tensor's range, then
 * per-channel symmetric int8 weights, per-tensor asymmetric int8 activations, int32 biases, requantisation pairs and
 * the exit table. Pools and standalone ReLUs keep their input's scale and zero point (no requantisation exists for
 * them in the flash layout). Same inputs → identical output (and identical canonical JSON).
 */
export function quantizeModel(ir: ModelIR, weights: ModelWeights, calibration: readonly ArrayLike<number>[], options: PtqOptions = {}): QuantizedModel {
  const ops = lowerToOps(ir);
  const folded = foldedOpParams(ops, cascadeWeights(ir, weights));
  const float = new FloatOps(ops, folded);
  const ranges = calibrateRanges(calibration, (window) => float.run(window), options);
  const quants = tensorQuants(ops, ranges);
  const tensors: QuantizedTensor[] = quants.map((q, t) => ({
    shape: t === 0 ? [...ops[0].inputShape] : [...ops[t - 1].outputShape],
    scale: q.scale,
    zeroPoint: q.zeroPoint,
  }));
  const quantizedOps = ops.map((op) => quantizeOp(op, folded[op.index], quants[op.input], quants[op.index + 1]));
  return {
    format: QUANTIZED_MODEL_FORMAT,
    ir: JSON.parse(canonicalJson(ir)) as ModelIR,
    header: { input: encodeQuant(quants[0]), output: encodeQuant(quants[ops.length]) },
    tensors,
    ops: quantizedOps,
    exits:
      ir.head === 'evidential' ? exitTable(ops, quants, options.thresholdsQ15 ?? new Array<number>(ir.exits?.length ?? 0).fill(0), evidenceFunctionOf(ir)) : [],
    calibration: {
      windows: calibration.length,
      percentile: options.percentile ?? null,
      ranges: ranges.map(({ min, max }) => ({ min: min + 0, max: max + 0 })) /* + 0: no −0 in the JSON's source */,
    },
  };
}

/** The model with new early-exit thresholds (threshold_q15 per early exit). */
export function withExitThresholds(model: QuantizedModel, thresholdsQ15: readonly number[]): QuantizedModel {
  const early = model.exits.length - 1;
  if (thresholdsQ15.length !== early) throw new RangeError(`${thresholdsQ15.length} thresholds for ${early} early exits`);
  checkThresholds(thresholdsQ15);
  return { ...model, exits: model.exits.map((row, k) => ({ ...row, thresholdQ15: k < early ? thresholdsQ15[k] : U_Q15_ONE })) };
}

/** Tensor 0 and computing ops from calibration; pools and standalone clamps inherit their input's. */
function tensorQuants(ops: readonly DeployedOp[], ranges: readonly TensorRange[]): TensorQuant[] {
  const quants: TensorQuant[] = [chooseActivationQuant(ranges[0].min, ranges[0].max)];
  for (const op of ops) {
    const keepsInput = op.kind === 'maxpool1d' || op.kind === 'avgpool1d' || op.kind === 'globalavgpool' || op.kind === 'relu' || op.kind === 'relu6';
    const range = ranges[op.index + 1];
    quants.push(keepsInput ? quants[op.input] : chooseActivationQuant(range.min, range.max));
  }
  return quants;
}

function quantizeOp(op: DeployedOp, params: Float64Array, input: TensorQuant, output: TensorQuant): QuantizedOp {
  const common = {
    index: op.index,
    input: op.input,
    branch: op.branch,
    exit: op.exit,
    inputShape: [...op.inputShape] as [number, number],
    outputShape: [...op.outputShape] as [number, number],
  };
  const layer = op.definition;
  switch (layer.kind) {
    case 'conv1d':
    case 'depthwise1d':
    case 'pointwise1d':
    case 'dense': {
      const channels = op.outputShape[1];
      const weightCount = params.length - channels;
      const linear = quantizeLinear(
        params.subarray(0, weightCount),
        params.subarray(weightCount),
        input,
        output,
        op.activation,
        linearTaps(layer, op.inputShape),
      );
      const windowed = layer.kind === 'conv1d' || layer.kind === 'depthwise1d';
      return {
        ...common,
        kind: layer.kind,
        kernel: windowed ? layer.kernel : 1,
        stride: windowed ? layer.stride : 1,
        padBefore: windowed && layer.padding === 'same' ? samePadding(op.inputShape[0], layer.kernel, layer.stride).left : 0,
        requant: { ...linear.requant, multiplier: Array.from(linear.requant.multiplier), shift: Array.from(linear.requant.shift) },
        bias: linear.bias,
        weights: linear.weights,
        weightScales: linear.weightScales,
      };
    }
    case 'gru': {
      const gru = quantizeGru(params, op.inputShape[1], layer.units, input, output);
      const r = gru.requant;
      return {
        ...common,
        kind: 'gru',
        units: layer.units,
        returnSequences: layer.returnSequences,
        requant: {
          ...r,
          kernelMultiplier: Array.from(r.kernelMultiplier),
          kernelShift: Array.from(r.kernelShift),
          recurrentMultiplier: Array.from(r.recurrentMultiplier),
          recurrentShift: Array.from(r.recurrentShift),
        },
        bias: gru.bias,
        weights: gru.weights,
        kernelScales: gru.kernelScales,
        recurrentScales: gru.recurrentScales,
      };
    }
    case 'relu':
    case 'relu6':
      return {
        ...common,
        kind: layer.kind,
        clamp: { inputZeroPoint: input.zeroPoint, outputZeroPoint: output.zeroPoint, ...activationBounds(layer.kind, output) },
      };
    case 'maxpool1d':
    case 'avgpool1d':
      return { ...common, kind: layer.kind, pool: layer.pool, stride: layer.stride };
    case 'globalavgpool':
      return { ...common, kind: 'globalavgpool' };
  }
}

function exitTable(ops: readonly DeployedOp[], quants: readonly TensorQuant[], thresholdsQ15: readonly number[], evidence: EvidenceFunction): QuantizedExit[] {
  const predictions = ops.filter((op) => op.exit !== null).sort((a, b) => (a.exit as number) - (b.exit as number));
  if (thresholdsQ15.length !== predictions.length - 1) throw new RangeError(`${thresholdsQ15.length} thresholds for ${predictions.length - 1} early exits`);
  checkThresholds(thresholdsQ15);
  return predictions.map((op, k) => {
    const quant = quants[op.index + 1];
    const thresholdQ15 = k < predictions.length - 1 ? thresholdsQ15[k] : U_Q15_ONE;
    if (evidence === 'relu') return { exit: k, tensor: op.index + 1, evidenceOneQ16: evidenceOneQ16(quant.scale), thresholdQ15 };
    return { exit: k, tensor: op.index + 1, evidenceOneQ16: EXP_TABLE_ONE_Q16, thresholdQ15, evidenceTable: expEvidenceTable(quant.scale, quant.zeroPoint) };
  });
}

function checkThresholds(thresholdsQ15: readonly number[]): void {
  for (const t of thresholdsQ15) {
    if (!Number.isInteger(t) || t < 0 || t > U_Q15_ONE) throw new RangeError(`threshold_q15 must be an integer in [0, ${U_Q15_ONE}], got ${t}`);
  }
}

function encodeQuant(quant: TensorQuant): EncodedQuant {
  return { zeroPoint: quant.zeroPoint, ...quantizeMultiplier(quant.scale) };
}

/** A float window (z-scored, [T·C]) as the model's int8 input. */
export function quantizeInput(model: QuantizedModel, window: ArrayLike<number>): Int8Array {
  const quant = model.tensors[0];
  if (window.length !== quant.shape[0] * quant.shape[1])
    throw new RangeError(`a window of ${window.length} values, the model reads ${quant.shape[0] * quant.shape[1]}`);
  // A plain loop: Int8Array.from with a map function took 1–2 % of an evaluate fold.
  const input = new Int8Array(window.length);
  for (let i = 0; i < window.length; i++) input[i] = quantizeValue(window[i], quant);
  return input;
}
