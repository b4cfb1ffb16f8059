/**
 * How float tensors become integers (post-training quantisation, TFLite's conventions):
 * - weights: per output channel symmetric int8, zero point 0, scale max|w|/127, values in [−127, 127];
 * - activations: per tensor asymmetric int8, the float range widened to include 0 (so 0 is exact and ReLU clamps at
 *   the zero point), scale (max − min)/255, zero point −128 − min/scale rounded;
 * - biases: int32 at the scale of the accumulator they are added to, clamped to what the int32 accumulator allows.
 * Rounding is half away from zero throughout (TFLite's std::round).
 */

export interface TensorQuant {
  scale: number;
  zeroPoint: number;
}

export function roundHalfAwayFromZero(x: number): number {
  return (x < 0 ? -Math.round(-x) : Math.round(x)) + 0; // + 0 turns −0 into 0
}

/** The int8 quantisation of a tensor whose float values span [min, max]. */
export function chooseActivationQuant(min: number, max: number): TensorQuant {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
    throw new RangeError(`an activation range must be finite with min ≤ max, got [${min}, ${max}]`);
  const low = Math.min(min, 0);
  const high = Math.max(max, 0);
  // A tensor that is always 0 (a dead channel set): any scale represents it; 1/255 keeps multipliers ordinary.
  const scale = high > low ? (high - low) / 255 : 1 / 255;
  const zeroPoint = Math.min(127, Math.max(-128, roundHalfAwayFromZero(-128 - low / scale)));
  return { scale, zeroPoint };
}

export function quantizeValue(x: number, { scale, zeroPoint }: TensorQuant): number {
  return Math.min(127, Math.max(-128, roundHalfAwayFromZero(x / scale) + zeroPoint));
}

export function dequantizeValue(q: number, { scale, zeroPoint }: TensorQuant): number {
  return scale * (q - zeroPoint);
}

export interface ChannelWeights {
  /** int8 values in the input's order. */
  values: number[];
  /** Scale per channel. */
  scales: number[];
}

/**
 * Per-channel symmetric int8 of a weight tensor whose LAST index is the output channel (every layout in params.ts
 * is: [..][filters], [..][C], [..][units], [..][3·units]). A channel whose weights are all 0 gets scale 1/127.
 */
export function quantizeWeightsPerChannel(weights: ArrayLike<number>, channels: number): ChannelWeights {
  if (weights.length % channels !== 0) throw new RangeError(`${weights.length} weights do not split into ${channels} channels`);
  const maxAbs = new Array<number>(channels).fill(0);
  for (let i = 0; i < weights.length; i++) maxAbs[i % channels] = Math.max(maxAbs[i % channels], Math.abs(weights[i]));
  const scales = maxAbs.map((m) => (m > 0 ? m / 127 : 1 / 127));
  const values = new Array<number>(weights.length);
  for (let i = 0; i < weights.length; i++) values[i] = Math.min(127, Math.max(-127, roundHalfAwayFromZero(weights[i] / scales[i % channels])));
  return { values, scales };
}

/** int32 biases at per-channel scales, clamped to ±limit (the accumulator bound; see kernels/requant-params.ts). */
export function quantizeBias(bias: ArrayLike<number>, scales: ArrayLike<number>, limit: number): number[] {
  return Array.from({ length: bias.length }, (_, i) => Math.min(limit, Math.max(-limit, roundHalfAwayFromZero(bias[i] / scales[i]))));
}
