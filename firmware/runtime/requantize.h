/*
 * THE requantisation of nx-tinyml, bit for bit the function of packages/core/src/quantize/requantize.ts: TFLite's
 * MultiplyByQuantizedMultiplier (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), the positive-shift
 * case saturating its left shift to int32. A scale is multiplier · 2^(shift − 31), multiplier in [2^30, 2^31) or 0,
 * shift in [−31, 30].
 *
 * No undefined or implementation-defined behaviour: products are taken in int64, no negative value is shifted (the
 * floors below shift the complement), no shift reaches the width of its type.
 */
#ifndef TINYML_REQUANTIZE_H
#define TINYML_REQUANTIZE_H

#include <stdint.h>

/* High 32 bits of 2·a·b rounded to nearest, ties toward +inf; INT32_MIN · INT32_MIN saturates to INT32_MAX. */
static inline int32_t tinyml_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t product = (int64_t)a * (int64_t)b;
    const int64_t nudged = product + (product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30)));
    /* nudged / 2^31 truncated toward zero, without a 64-bit division (a library call on Cortex-M). */
    return (int32_t)(nudged >= 0 ? (nudged >> 31) : -((-nudged) >> 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31]. */
static inline int32_t tinyml_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)((UINT32_C(1) << exponent) - 1u);
    const int32_t remainder = (int32_t)((uint32_t)x & (uint32_t)mask);
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    /* floor(x / 2^exponent); for x < 0 via ~x = −x − 1 ≥ 0. */
    const int32_t floor = x >= 0 ? (x >> exponent) : ~((~x) >> exponent);
    return floor + (remainder > threshold ? 1 : 0);
}

/*
 * The right-shift case (shift in [−31, −1], exponent e = −shift) of MultiplyByQuantizedMultiplier in ONE rounding
 * step, the same function as the two above composed. With p = x·multiplier and s = 1 when p < 0:
 *   SRDHM:  y = floor((p + 2^30) / 2^31)                       (ties toward +inf; no saturation needed for e ≥ 1)
 *   RDBPOT: r = floor((y + 2^(e−1) − [y < 0]) / 2^e)           (ties away from zero)
 * and floor(floor(a / 2^31) + k) / 2^e) = floor((a + k·2^31) / 2^(31+e)) for integer k, so
 *   r = floor((p + 2^30 + 2^31·(2^(e−1) − s)) / 2^(31+e)).
 * y < 0 implies p < 0 and y > 0 implies p > 0; when y = 0 both values of s give r = 0 (for e ≥ 1), so s may be
 * taken from the operands' signs, (x ^ multiplier) < 0. |p| ≤ 2^62 and the bias is below 2^61 + 2^30, so the sum
 * fits int64 (INT32_MIN · INT32_MIN included: r = 2^(31−e), what saturating first gives). On Cortex-M this is one
 * SMLAL and a shift of its high word.
 */
static inline int32_t tinyml_multiply_by_quantized_multiplier_right(int32_t x, int32_t multiplier, int32_t exponent)
{
    const uint32_t negative = (uint32_t)(x ^ multiplier) >> 31;
    /* k = 2^(e−1) − s ≥ 0; bias = 2^30 + 2^31·k as the words (k >> 1, 2^30 | (k & 1) << 31). */
    const uint32_t k = (UINT32_C(1) << (exponent - 1)) - negative;
    const uint64_t bias = ((uint64_t)(k >> 1) << 32) | (((k & 1u) << 31) | UINT32_C(0x40000000));
    const int64_t sum = (int64_t)x * multiplier + (int64_t)bias;
    /* floor(sum / 2^32), then floor(· / 2^(e−1)); negative values shift their complement (an arithmetic shift). */
    const int32_t high = (int32_t)(sum >= 0 ? sum >> 32 : ~((~sum) >> 32));
    return high >= 0 ? high >> (exponent - 1) : ~((~high) >> (exponent - 1));
}

/* round(x · multiplier · 2^(shift − 31)). */
static inline int32_t tinyml_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    if (shift < 0) {
        return tinyml_multiply_by_quantized_multiplier_right(x, multiplier, -shift);
    }
    int64_t shifted = (int64_t)x * ((int64_t)1 << shift);
    if (shifted > INT32_MAX) {
        shifted = INT32_MAX;
    } else if (shifted < INT32_MIN) {
        shifted = INT32_MIN;
    }
    return tinyml_saturating_rounding_doubling_high_mul((int32_t)shifted, multiplier);
}

/*
 * An int32 accumulator to int8: requantise, add the output zero point, clamp to [act_min, act_max] (both in
 * [−128, 127]). Clamping the requantised value to [act_min − zero point, act_max − zero point] (within ±255) before
 * adding the zero point is the same as adding first and clamping after, without the addition overflowing.
 */
static inline int8_t tinyml_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_zero_point, int32_t act_min, int32_t act_max)
{
    int32_t value = tinyml_multiply_by_quantized_multiplier(acc, multiplier, shift);
    const int32_t low = act_min - output_zero_point;
    const int32_t high = act_max - output_zero_point;
    value = value < low ? low : (value > high ? high : value);
    return (int8_t)(value + output_zero_point);
}

/* An int64 saturated to int32. */
static inline int32_t tinyml_saturate_int32(int64_t x)
{
    return x > INT32_MAX ? INT32_MAX : (x < INT32_MIN ? INT32_MIN : (int32_t)x);
}

#endif
