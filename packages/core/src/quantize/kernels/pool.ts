/**
 * int8 pooling. The output keeps the input's scale and zero point, so these work on the raw int8 values (TFLite's
 * reference kernels do the same). Windows are `valid` (the IR has no padded pools). Mirrors firmware/runtime/pool.c.
 */

export interface PoolGeometry {
  inLength: number;
  channels: number;
  pool: number;
  stride: number;
  outLength: number;
}

export function maxPool1dInt8(input: ArrayLike<number>, geometry: PoolGeometry, output: Int8Array): void {
  const { channels, pool, stride, outLength } = geometry;
  for (let t = 0; t < outLength; t++) {
    const x0 = t * stride * channels;
    for (let c = 0; c < channels; c++) {
      let best = input[x0 + c];
      for (let k = 1; k < pool; k++) best = Math.max(best, input[x0 + k * channels + c]);
      output[t * channels + c] = best;
    }
  }
}

export function avgPool1dInt8(input: ArrayLike<number>, geometry: PoolGeometry, output: Int8Array): void {
  const { channels, pool, stride, outLength } = geometry;
  for (let t = 0; t < outLength; t++) {
    const x0 = t * stride * channels;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let k = 0; k < pool; k++) sum += input[x0 + k * channels + c];
      output[t * channels + c] = roundedMean(sum, pool);
    }
  }
}

/** Mean over time, [T][C] → [C]. */
export function globalAvgPoolInt8(input: ArrayLike<number>, length: number, channels: number, output: Int8Array): void {
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let t = 0; t < length; t++) sum += input[t * channels + c];
    output[c] = roundedMean(sum, length);
  }
}

/**
 * TFLite's integer average: (sum ± ⌊count/2⌋) / count with C's truncating division, i.e. ties away from zero. The
 * mean of int8 values is itself in [−128, 127].
 */
export function roundedMean(sum: number, count: number): number {
  const half = Math.floor(count / 2);
  return Math.trunc(sum > 0 ? (sum + half) / count : (sum - half) / count) | 0; // | 0: no −0
}
