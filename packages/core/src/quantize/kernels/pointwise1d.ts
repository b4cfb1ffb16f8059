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
  for (let t = 0; t < length; t++) {
    const x0 = t * channels;
    for (let f = 0; f < filters; f++) {
      let acc = bias[f];
      for (let c = 0; c < channels; c++) acc += (input[x0 + c] - zx) * weights[c * filters + f];
      output[t * filters + f] = requantizeToInt8(acc, requant.multiplier[f], requant.shift[f], requant.outputZeroPoint, requant.actMin, requant.actMax);
    }
  }
}
