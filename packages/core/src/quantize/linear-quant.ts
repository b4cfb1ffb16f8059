import type { Activation, Shape } from '../model/ir';
import type { LinearLayer } from '../model/shapes';
import type { ChannelRequant } from './kernels/requant-params';
import { biasLimit } from './kernels/requant-params';
import { quantizeMultiplier } from './requantize';
import { TensorQuant, quantizeBias, quantizeValue, quantizeWeightsPerChannel } from './tensor-quant';

/** The output clamp of an activation in a tensor's int8 steps: 0 and 6 mapped through its scale and zero point. */
export function activationBounds(activation: Activation, output: TensorQuant): { actMin: number; actMax: number } {
  const zero = output.zeroPoint;
  if (activation === 'none') return { actMin: -128, actMax: 127 };
  return { actMin: Math.max(-128, zero), actMax: activation === 'relu6' ? quantizeValue(6, output) : 127 };
}

export interface QuantizedLinear {
  weights: number[];
  weightScales: number[];
  bias: number[];
  requant: ChannelRequant;
}

/**
 * A linear op (conv1d, depthwise1d, pointwise1d, dense) in int8: per-channel weights (last index = output channel),
 * int32 biases at s_in·s_w[c], multipliers s_in·s_w[c]/s_out, the activation as the output clamp. `taps` is the
 * number of products per output, which bounds the biases (kernels/requant-params.ts).
 */
export function quantizeLinear(
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  input: TensorQuant,
  output: TensorQuant,
  activation: Activation,
  taps: number,
): QuantizedLinear {
  const channels = bias.length;
  const quantized = quantizeWeightsPerChannel(weights, channels);
  const accumulatorScales = quantized.scales.map((s) => input.scale * s);
  const multipliers = accumulatorScales.map((s) => quantizeMultiplier(s / output.scale));
  return {
    weights: quantized.values,
    weightScales: quantized.scales,
    bias: quantizeBias(bias, accumulatorScales, biasLimit(taps)),
    requant: {
      inputZeroPoint: input.zeroPoint,
      outputZeroPoint: output.zeroPoint,
      ...activationBounds(activation, output),
      multiplier: multipliers.map((m) => m.multiplier),
      shift: multipliers.map((m) => m.shift),
    },
  };
}

/** Products per output of a linear layer: what bounds its biases. */
export function linearTaps(layer: LinearLayer, inputShape: Shape): number {
  const [length, channels] = inputShape;
  switch (layer.kind) {
    case 'conv1d':
      return layer.kernel * channels;
    case 'depthwise1d':
      return layer.kernel;
    case 'pointwise1d':
      return channels;
    case 'dense':
      return length * channels;
  }
}
