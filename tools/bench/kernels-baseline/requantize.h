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

/* round(x · multiplier · 2^(shift − 31)). */
static inline int32_t tinyml_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    int64_t shifted = (int64_t)x * ((int64_t)1 << left);
    if (shifted > INT32_MAX) {
        shifted = INT32_MAX;
    } else if (shifted < INT32_MIN) {
        shifted = INT32_MIN;
    }
    return tinyml_rounding_divide_by_pot(tinyml_saturating_rounding_doubling_high_mul((int32_t)shifted, multiplier), right);
}

/*
 * An int32 accumulator to int8: requantise, add the output zero point, clamp to [act_min, act_max] (both in
 * [−128, 127]). Bounding the requantised value to ±512 first keeps the addition from overflowing and cannot change
 * the result.
 */
static inline int8_t tinyml_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_zero_point, int32_t act_min, int32_t act_max)
{
    int32_t value = tinyml_multiply_by_quantized_multiplier(acc, multiplier, shift);
    value = value > 512 ? 512 : (value < -512 ? -512 : value);
    value += output_zero_point;
    value = value < act_min ? act_min : (value > act_max ? act_max : value);
    return (int8_t)value;
}

/* An int64 saturated to int32. */
static inline int32_t tinyml_saturate_int32(int64_t x)
{
    return x > INT32_MAX ? INT32_MAX : (x < INT32_MIN ? INT32_MIN : (int32_t)x);
}

#endif
