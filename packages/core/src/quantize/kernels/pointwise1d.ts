import { requantizeToInt8 } from '../requantize';
import { ChannelRequant, checkAccumulatorBound } from './requant-params';

/**
 * int8 pointwise (1×1) conv: out[t][f] = clamp(requant(b[f] + Σ_c (x[t][c] − z_x)·W[c][f]) + z_out). Weights
 * [channels][filters]. Mirrors firmware/runtime/pointwise1d.c.
 */
export function pointwise1dInt8(
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  requant: ChannelRequant,
  length: number,
  channels: number,
  filters: number,
  output: Int8Array,
): void {
  checkAccumulatorBound(bias, channels, 'pointwise1d');
  const zx = requant.inputZeroPoint;
  const { multiplier, shift, outputZeroPoint, actMin, actMax } = requant;
  // Filters innermost, as in conv1d.ts: contiguous weight rows; int32 sums are exact in doubles.
  const acc = new Float64Array(filters);
  for (let t = 0; t < length; t++) {
    const x0 = t * channels;
    for (let f = 0; f < filters; f++) acc[f] = bias[f];
    for (let c = 0; c < channels; c++) {
      const x = input[x0 + c] - zx;
      if (x === 0) continue;
      const w0 = c * filters;
      for (let f = 0; f < filters; f++) acc[f] += x * weights[w0 + f];
    }
    const o0 = t * filters;
    for (let f = 0; f < filters; f++) output[o0 + f] = requantizeToInt8(acc[f], multiplier[f], shift[f], outputZeroPoint, actMin, actMax);
  }
}
