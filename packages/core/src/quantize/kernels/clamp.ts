/**
 * A standalone ReLU/ReLU6 (one export could not fuse into a linear layer): out = clamp(x − z_in + z_out, actMin,
 * actMax) at an unchanged scale (PTQ gives it z_out = z_in and the clamp of 0 and 6 in the input's steps).
 * Mirrors firmware/runtime/activation.c.
 */
export function clampInt8(
  input: ArrayLike<number>,
  count: number,
  inputZeroPoint: number,
  outputZeroPoint: number,
  actMin: number,
  actMax: number,
  output: Int8Array,
): void {
  for (let i = 0; i < count; i++) {
    const value = input[i] - inputZeroPoint + outputZeroPoint;
    output[i] = value < actMin ? actMin : value > actMax ? actMax : value;
  }
}
