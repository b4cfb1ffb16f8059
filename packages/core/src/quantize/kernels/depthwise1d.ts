import { requantizeToInt8 } from '../requantize';
import type { WindowGeometry } from './conv1d';
import { ChannelRequant, checkAccumulatorBound } from './requant-params';

/**
 * int8 depthwise conv1d (channel multiplier 1): out[t][c] = clamp(requant(b[c] + Σ_k (x[t·stride + k − padBefore][c]
 * − z_x)·W[k][c]) + z_out). Weights [kernel][channels], bias and requantisation per channel. Padded taps are skipped.
 * Mirrors firmware/runtime/depthwise1d.c.
 */
export function depthwise1dInt8(
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  requant: ChannelRequant,
  geometry: WindowGeometry,
  output: Int8Array,
): void {
  const { inLength, channels, kernel, stride, padBefore, outLength } = geometry;
  checkAccumulatorBound(bias, kernel, 'depthwise1d');
  const zx = requant.inputZeroPoint;
  for (let t = 0; t < outLength; t++) {
    const start = t * stride - padBefore;
    const firstTap = Math.max(0, -start);
    const endTap = Math.min(kernel, inLength - start);
    for (let c = 0; c < channels; c++) {
      let acc = bias[c];
      for (let k = firstTap; k < endTap; k++) acc += (input[(start + k) * channels + c] - zx) * weights[k * channels + c];
      output[t * channels + c] = requantizeToInt8(acc, requant.multiplier[c], requant.shift[c], requant.outputZeroPoint, requant.actMin, requant.actMax);
    }
  }
}
