import { pointwise1dInt8 } from './pointwise1d';
import type { ChannelRequant } from './requant-params';

/**
 * int8 dense on the flattened input: out[u] = clamp(requant(b[u] + Σ_j (x[j] − z_x)·W[j][u]) + z_out), j over the
 * `inputs` values of the row-major [T][C] input, weights [inputs][units]: exactly a pointwise conv over one step of
 * `inputs` channels. Mirrors firmware/runtime/dense.c.
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
  pointwise1dInt8(input, weights, bias, requant, 1, inputs, units, output);
}
