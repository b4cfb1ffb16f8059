import { INT32_MAX } from '../requantize';

/**
 * What every int8 linear kernel needs besides its weights: the op header of the flash blob (memory.ts) and the
 * per-output-channel {multiplier, shift} pairs.
 */
export interface ChannelRequant {
  inputZeroPoint: number;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
  multiplier: ArrayLike<number>;
  shift: ArrayLike<number>;
}

/** The largest |(x − z_x)·w| of one int8 tap: |x − z_x| ≤ 255, |w| ≤ 128. */
export const MAX_TAP_PRODUCT = 255 * 128;

/**
 * The C kernels accumulate in int32, and signed overflow is undefined behaviour there, so every partial sum must fit:
 * |bias| + taps·MAX_TAP_PRODUCT ≤ INT32_MAX. PTQ clamps biases to that (biasLimit); a kernel refuses anything else,
 * so the reference never computes a result the C runtime could not.
 */
export function biasLimit(taps: number): number {
  const limit = INT32_MAX - taps * MAX_TAP_PRODUCT;
  if (limit < 0) throw new RangeError(`${taps} taps per output can overflow an int32 accumulator`);
  return limit;
}

/** Throws unless bias[from .. to) with `taps` taps per output fits an int32 accumulator (see biasLimit). */
export function checkAccumulatorBound(bias: ArrayLike<number>, taps: number, kernel: string, from = 0, to = bias.length): void {
  const limit = biasLimit(taps);
  for (let i = from; i < to; i++) {
    if (Math.abs(bias[i]) > limit) throw new RangeError(`${kernel}: bias ${bias[i]} with ${taps} taps can overflow the int32 accumulator (|bias| ≤ ${limit})`);
  }
}
