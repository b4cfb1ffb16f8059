/**
 * THE requantisation of the project (DESIGN.md "Integer arithmetic"): TFLite's classic MultiplyByQuantizedMultiplier,
 * a saturating rounding doubling high multiply followed by a rounding divide by a power of two. The C runtime
 * (firmware/runtime/requantize.h) computes exactly the same function; c-runtime.test.ts checks them bit for bit.
 *
 * A real scale m > 0 is a pair {multiplier, shift}: m = multiplier · 2^(shift − 31), multiplier in [2^30, 2^31)
 * (or 0 for m = 0 and for scales below 2^−32, flushed to zero as TFLite does), shift in [SHIFT_MIN, SHIFT_MAX].
 * A positive shift is a left shift of the input before the multiply; that left shift SATURATES to int32 (TFLite
 * lets it wrap, which is undefined behaviour in C; saturating keeps the result monotone, and any input it touches
 * is far outside the int8 output range anyway).
 *
 * All arithmetic here is exact in JS Numbers: the 62-bit product of two int32 values is split at 16 bits so no
 * intermediate reaches 2^53 (requantize.test.ts checks it against BigInt).
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
/** Smallest and largest shift quantizeMultiplier produces and the runtime accepts. */
export const SHIFT_MIN = -31;
export const SHIFT_MAX = 30;

const TWO_POW_31 = 2147483648;
const TWO_POW_30 = 1073741824;
const TWO_POW_15 = 32768;

export interface QuantizedMultiplier {
  /** 0 or in [2^30, 2^31). */
  multiplier: number;
  /** In [SHIFT_MIN, SHIFT_MAX]; the scale is multiplier · 2^(shift − 31). */
  shift: number;
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2·a·b, rounded to nearest (nudge 2^30 or
 * 1 − 2^30, then truncate toward zero: ties go toward +∞); the one overflowing case, INT32_MIN · INT32_MIN, gives
 * INT32_MAX.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a·b = a·bHigh·2^16 + a·bLow with |a·bHigh| < 2^46 and 0 ≤ bLow < 2^16: both products exact.
  const bHigh = b >> 16;
  const bLow = b & 0xffff;
  const high = a * bHigh;
  const low = a * bLow;
  const negative = a < 0 !== b < 0 && a !== 0 && b !== 0;
  const nudge = negative ? 1 - TWO_POW_30 : TWO_POW_30;
  // (high·2^16 + low + nudge) / 2^31 with high = q·2^15 + r: the quotient is q + (r·2^16 + low + nudge) / 2^31,
  // every term below 2^49.
  const q = Math.floor(high / TWO_POW_15);
  const r = high - q * TWO_POW_15;
  const rest = (r * 65536 + low + nudge) / TWO_POW_31;
  // Truncation toward zero; the sign of the nudged product is the sign of a·b.
  // `| 0` is exact here (the result is an int32) and turns Math.ceil's −0 into 0.
  return (q + (negative ? Math.ceil(rest) : Math.floor(rest))) | 0;
}

/** 2^e − 1 and 2^e for e in [0, 31]: a table, because `2 ** e` costs a Math.pow call on the interpreter's hot path. */
const POT_MASKS = Array.from({ length: 32 }, (_, e) => 2 ** e - 1);
const POWERS_OF_TWO = Array.from({ length: 32 }, (_, e) => 2 ** e);

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31]. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = POT_MASKS[exponent];
  const remainder = x & mask;
  const threshold = (mask >>> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** x · 2^shift saturated to int32, for shift in [0, SHIFT_MAX]. */
export function saturatingLeftShift(x: number, shift: number): number {
  const shifted = x * POWERS_OF_TWO[shift];
  return shifted > INT32_MAX ? INT32_MAX : shifted < INT32_MIN ? INT32_MIN : shifted;
}

/** round(x · multiplier · 2^(shift − 31)) for an int32 x, the project's one requantisation (see the header). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(saturatingLeftShift(x, leftShift), multiplier), rightShift);
}

/**
 * An int32 accumulator to an int8 output: requantise, add the output zero point, clamp to [actMin, actMax]. The
 * requantised value is first clamped to ±512 so that adding the zero point can never overflow int32 in C; that
 * cannot change the result, since actMin and actMax lie in [−128, 127] and |zeroPoint| ≤ 128.
 */
export function requantizeToInt8(acc: number, multiplier: number, shift: number, zeroPoint: number, actMin: number, actMax: number): number {
  const scaled = multiplyByQuantizedMultiplier(acc, multiplier, shift);
  const bounded = scaled > 512 ? 512 : scaled < -512 ? -512 : scaled;
  const value = bounded + zeroPoint;
  return value < actMin ? actMin : value > actMax ? actMax : value;
}

/**
 * TFLite's QuantizeMultiplier: frexp(m) = q · 2^e with q in [0.5, 1), multiplier = round(q · 2^31) (ties away from
 * zero), shift = e; a multiplier rounded up to 2^31 becomes 2^30 with shift + 1; m = 0 and scales whose shift would
 * fall below −31 (m < 2^−32) give {0, 0}. Throws for negative, non-finite, or scales ≥ 2^30 (shift > SHIFT_MAX),
 * which no requantisation of this project needs.
 */
export function quantizeMultiplier(realScale: number): QuantizedMultiplier {
  if (!Number.isFinite(realScale) || realScale < 0) throw new RangeError(`quantizeMultiplier: the scale must be finite and ≥ 0, got ${realScale}`);
  if (realScale === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent: frexpExponent } = frexp(realScale);
  let exponent = frexpExponent;
  let multiplier = Math.round(fraction * TWO_POW_31); // fraction > 0, so Math.round's ties go away from zero
  if (multiplier === TWO_POW_31) {
    multiplier = TWO_POW_30;
    exponent += 1;
  }
  if (exponent < SHIFT_MIN) return { multiplier: 0, shift: 0 };
  if (exponent > SHIFT_MAX) throw new RangeError(`quantizeMultiplier: the scale ${realScale} needs a shift of ${exponent}, above ${SHIFT_MAX}`);
  return { multiplier, shift: exponent };
}

/** The real scale a {multiplier, shift} pair stands for. */
export function multiplierToScale({ multiplier, shift }: QuantizedMultiplier): number {
  return multiplier * 2 ** (shift - 31);
}

/** C's frexp for a finite x > 0: x = fraction · 2^exponent, fraction in [0.5, 1), exactly (read from the bits). */
export function frexp(x: number): { fraction: number; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = (view.getUint16(0) >>> 4) & 0x7ff;
  if (biased === 0) {
    // Subnormal: scale into the normal range first (exact, a power of two).
    const inner = frexp(x * 2 ** 64);
    return { fraction: inner.fraction, exponent: inner.exponent - 64 };
  }
  const exponent = biased - 1022;
  return { fraction: x * 2 ** -exponent, exponent };
}
