import { requantizeToInt8 } from '../requantize';
import { ChannelRequant, checkAccumulatorBound } from './requant-params';

/** Where a 1-D window op reads: TensorFlow's `same`/`valid` geometry resolved to numbers (model/shapes samePadding). */
export interface WindowGeometry {
  inLength: number;
  channels: number;
  kernel: number;
  stride: number;
  /** Taps before the first input step; padded taps are skipped (they hold the input zero point: (z − z)·w = 0). */
  padBefore: number;
  outLength: number;
}

/**
 * int8 conv1d: out[t][f] = clamp(requant(b[f] + Σ_{k,c} (x[t·stride + k − padBefore][c] − z_x)·W[k][c][f]) + z_out).
 * Input [inLength][channels], weights [kernel][channels][filters] (params.ts), bias int32 [filters], output
 * [outLength][filters]. Mirrors firmware/runtime/conv1d.c.
 */
export function conv1dInt8(
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  requant: ChannelRequant,
  geometry: WindowGeometry,
  filters: number,
  output: Int8Array,
): void {
  const { inLength, channels, kernel, stride, padBefore, outLength } = geometry;
  checkAccumulatorBound(bias, kernel * channels, 'conv1d');
  const zx = requant.inputZeroPoint;
  const { multiplier, shift, outputZeroPoint, actMin, actMax } = requant;
  // Filters innermost: each input value is read once per tap and the weight row [k][c][0..filters) is contiguous.
  // The int32 sums are exact in doubles (|acc| < 2^31, checked above), and summation order cannot change them.
  const acc = new Float64Array(filters);
  for (let t = 0; t < outLength; t++) {
    const start = t * stride - padBefore;
    const firstTap = Math.max(0, -start);
    const endTap = Math.min(kernel, inLength - start);
    for (let f = 0; f < filters; f++) acc[f] = bias[f];
    for (let k = firstTap; k < endTap; k++) {
      const x0 = (start + k) * channels;
      for (let c = 0; c < channels; c++) {
        const x = input[x0 + c] - zx;
        if (x === 0) continue;
        const w0 = (k * channels + c) * filters;
        for (let f = 0; f < filters; f++) acc[f] += x * weights[w0 + f];
      }
    }
    const o0 = t * filters;
    for (let f = 0; f < filters; f++) output[o0 + f] = requantizeToInt8(acc[f], multiplier[f], shift[f], outputZeroPoint, actMin, actMax);
  }
}
