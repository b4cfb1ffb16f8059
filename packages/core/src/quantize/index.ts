/** int8 post-training quantisation, the flash blob, and the integer reference interpreter (the golden model). */
export {
  INT32_MAX,
  INT32_MIN,
  SHIFT_MAX,
  SHIFT_MIN,
  frexp,
  multiplierToScale,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  requantizeToInt8,
  roundingDivideByPOT,
  saturatingLeftShift,
  saturatingRoundingDoublingHighMul,
} from './requantize';
export type { QuantizedMultiplier } from './requantize';
export { GATE_FRACTION_BITS, Q15_ONE, SIGMOID_TABLE, TANH_TABLE, runtimeTablesC, sigmoidQ15, tanhQ15 } from './fixed-point-activations';
export { U_Q15_ONE, evidenceOneQ16, evidentialFixedPoint, evidentialHead, exitDecision, thresholdQ15 } from './evidential';
export type { EventEstimate, HeadEstimate } from './evidential';
export { cascadeWeights } from './model-weights';
export type { CascadeWeights, ModelWeights } from './model-weights';
export { calibrateRanges } from './calibrate';
export type { CalibrationSettings, TensorRange } from './calibrate';
export { chooseActivationQuant, dequantizeValue, quantizeValue, quantizeWeightsPerChannel } from './tensor-quant';
export type { TensorQuant } from './tensor-quant';
export { foldedOpParams } from './fold';
export { FloatOps, deployedLayer } from './float-ops';
export { quantizeInput, quantizeModel, withExitThresholds } from './ptq';
export type { PtqOptions } from './ptq';
export { QUANTIZED_MODEL_FORMAT } from './quantized-model';
export type * from './quantized-model';
export { buildFlashBlob } from './flash-blob';
export type { FlashBlob, FlashSection } from './flash-blob';
export { runQuantized } from './interpreter';
export type { ExitEvaluation, InterpreterOptions, InterpreterResult } from './interpreter';
export { quantizationErrors } from './error-report';
export type { TensorError } from './error-report';
export { conv1dInt8 } from './kernels/conv1d';
export { depthwise1dInt8 } from './kernels/depthwise1d';
export { pointwise1dInt8 } from './kernels/pointwise1d';
export { denseInt8 } from './kernels/dense';
export { avgPool1dInt8, globalAvgPoolInt8, maxPool1dInt8 } from './kernels/pool';
export { clampInt8 } from './kernels/clamp';
export { gruInt8 } from './kernels/gru';
