import { requantizeToInt8 } from '../requantize';
import { ChannelRequant, checkAccumulatorBound } from './requant-params';

/**
 * int8 dense on the flattened input: out[u] = clamp(requant(b[u] + Σ_j (x[j] − z_x)·W[j][u]) + z_out), j over the
 * `inputs` values of the row-major [T][C] input, weights [inputs][units]. Mirrors firmware/runtime/dense.c.
 */
export function denseInt8(
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  requant: ChannelRequant,
  inputs: number,
  units: number,
  output: Int8Array,
): void {
  checkAccumulatorBound(bias, inputs, 'dense');
  const zx = requant.inputZeroPoint;
  for (let u = 0; u < units; u++) {
    let acc = bias[u];
    for (let j = 0; j < inputs; j++) acc += (input[j] - zx) * weights[j * units + u];
    output[u] = requantizeToInt8(acc, requant.multiplier[u], requant.shift[u], requant.outputZeroPoint, requant.actMin, requant.actMax);
  }
}
