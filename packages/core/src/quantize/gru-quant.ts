import { GATE_FRACTION_BITS } from './fixed-point-activations';
import { GruRequant, gruRecurrentBiasLimit } from './kernels/gru';
import { biasLimit } from './kernels/requant-params';
import { quantizeMultiplier } from './requantize';
import { TensorQuant, quantizeBias, quantizeWeightsPerChannel } from './tensor-quant';

export interface QuantizedGruParams {
  /** int8 kernel [inC][3u] then recurrent [u][3u]: the op's weight array in the flash blob. */
  weights: number[];
  /** int32 bias [2][3u]: row 0 at s_x·s_W[k], row 1 at 2^−15·s_U[k]. */
  bias: number[];
  kernelScales: number[];
  recurrentScales: number[];
  requant: GruRequant;
}

/**
 * Quantises a GRU's float parameters (params.ts layout) for the scheme of kernels/gru.ts: per-gate-column symmetric
 * int8 kernel and recurrent matrices, biases at their accumulators' scales, {multiplier, shift} into the Q12 gate
 * domain per column (kernel s_x·s_W[k]·2^12, recurrent 2^−15·s_U[k]·2^12) and from the Q0.15 state to the output
 * (2^−15 / s_out).
 */
export function quantizeGru(params: ArrayLike<number>, inChannels: number, units: number, input: TensorQuant, output: TensorQuant): QuantizedGruParams {
  const g = 3 * units;
  const kernelEnd = inChannels * g;
  const recurrentEnd = kernelEnd + units * g;
  if (params.length !== recurrentEnd + 2 * g)
    throw new RangeError(`a GRU(${units}) on ${inChannels} channels has ${recurrentEnd + 2 * g} parameters, got ${params.length}`);
  const slice = (from: number, to: number) => Array.prototype.slice.call(params, from, to) as number[];
  const kernel = quantizeWeightsPerChannel(slice(0, kernelEnd), g);
  const recurrent = quantizeWeightsPerChannel(slice(kernelEnd, recurrentEnd), g);
  const kernelAccScales = kernel.scales.map((s) => input.scale * s);
  const recurrentAccScales = recurrent.scales.map((s) => s / 32768);
  const toGate = (scale: number) => quantizeMultiplier(scale * 2 ** GATE_FRACTION_BITS);
  const kernelMultipliers = kernelAccScales.map(toGate);
  const recurrentMultipliers = recurrentAccScales.map(toGate);
  const outputMultiplier = quantizeMultiplier(1 / 32768 / output.scale);
  return {
    weights: [...kernel.values, ...recurrent.values],
    bias: [
      ...quantizeBias(slice(recurrentEnd, recurrentEnd + g), kernelAccScales, biasLimit(inChannels)),
      ...quantizeBias(slice(recurrentEnd + g, recurrentEnd + 2 * g), recurrentAccScales, gruRecurrentBiasLimit(units)),
    ],
    kernelScales: kernel.scales,
    recurrentScales: recurrent.scales,
    requant: {
      inputZeroPoint: input.zeroPoint,
      outputZeroPoint: output.zeroPoint,
      actMin: -128,
      actMax: 127,
      kernelMultiplier: kernelMultipliers.map((m) => m.multiplier),
      kernelShift: kernelMultipliers.map((m) => m.shift),
      recurrentMultiplier: recurrentMultipliers.map((m) => m.multiplier),
      recurrentShift: recurrentMultipliers.map((m) => m.shift),
      outputMultiplier: outputMultiplier.multiplier,
      outputShift: outputMultiplier.shift,
    },
  };
}
