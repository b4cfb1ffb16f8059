/**
 * Keras's glorot_uniform: U(−l, l) with l = sqrt(6 / (fanIn + fanOut)), where for a conv kernel the fans are the
 * channel counts times the receptive field (Keras `_compute_fans`). Fills params[offset, offset + count).
 */
export function glorotUniform(params: Float64Array, offset: number, count: number, fanIn: number, fanOut: number, random: () => number): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < count; i++) params[offset + i] = (2 * random() - 1) * limit;
}
