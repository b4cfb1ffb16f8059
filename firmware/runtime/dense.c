#include "kernel_internal.h"

/*
 * Dense on the flattened input. With the DSP extension, four units at a time (matvec4_s8 in kernel_internal.h:
 * SMLAD on weight pairs gathered in registers, two MACs an instruction), then two (matvec2_s8), each requantised
 * straight from its multiplier and shift (every channel is requantised once, so no per-channel constants are built)
 * with the one-rounding fast path and the SIMD clamp when all of the group's channels allow it; the unit left over
 * and the plain build take the scalar loops (four units share each input load; weights' last index is the unit, so
 * their four weights are adjacent).
 */
void tinyml_dense_s8(const int8_t *input, int32_t inputs,
                     const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                     int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                     int32_t units, int8_t *output)
{
    int32_t u = 0;
#if TINYML_DSP
    int32_t simd[3];
    tinyml_clamp_simd(output_zero_point, act_min, act_max, simd);
    for (; u + 4 <= units; u += 4) {
        int32_t acc[4] = {bias[u], bias[u + 1], bias[u + 2], bias[u + 3]};
        tinyml_matvec4_s8(input, inputs, input_zero_point, weights + u, units, acc);
        const int32_t *m = multiplier + u;
        const int32_t *s = shift + u;
        if (tinyml_requant_is_fast(m[0], s[0]) && tinyml_requant_is_fast(m[1], s[1]) && tinyml_requant_is_fast(m[2], s[2]) &&
            tinyml_requant_is_fast(m[3], s[3])) {
            tinyml_store4_clamped(tinyml_requantize_fast_direct(acc[0], m[0], s[0]), tinyml_requantize_fast_direct(acc[1], m[1], s[1]),
                                  tinyml_requantize_fast_direct(acc[2], m[2], s[2]), tinyml_requantize_fast_direct(acc[3], m[3], s[3]), simd,
                                  output + u);
        } else {
            for (int32_t i = 0; i < 4; i++) {
                output[u + i] = tinyml_requantize_s8(acc[i], m[i], s[i], output_zero_point, act_min, act_max);
            }
        }
    }
    if (u + 2 <= units) {
        int32_t acc[2] = {bias[u], bias[u + 1]};
        tinyml_matvec2_s8(input, inputs, input_zero_point, weights + u, units, acc);
        const int32_t *m = multiplier + u;
        const int32_t *s = shift + u;
        if (tinyml_requant_is_fast(m[0], s[0]) && tinyml_requant_is_fast(m[1], s[1])) {
            tinyml_store2_clamped(tinyml_requantize_fast_direct(acc[0], m[0], s[0]), tinyml_requantize_fast_direct(acc[1], m[1], s[1]), simd,
                                  output + u);
        } else {
            output[u] = tinyml_requantize_s8(acc[0], m[0], s[0], output_zero_point, act_min, act_max);
            output[u + 1] = tinyml_requantize_s8(acc[1], m[1], s[1], output_zero_point, act_min, act_max);
        }
        u += 2;
    }
#else
    for (; u + 4 <= units; u += 4) {
        int32_t acc0 = bias[u];
        int32_t acc1 = bias[u + 1];
        int32_t acc2 = bias[u + 2];
        int32_t acc3 = bias[u + 3];
        for (int32_t j = 0, w = u; j < inputs; j++, w += units) {
            const int32_t v = (int32_t)input[j] - input_zero_point;
            acc0 += v * weights[w];
            acc1 += v * weights[w + 1];
            acc2 += v * weights[w + 2];
            acc3 += v * weights[w + 3];
        }
        output[u] = tinyml_requantize_s8(acc0, multiplier[u], shift[u], output_zero_point, act_min, act_max);
        output[u + 1] = tinyml_requantize_s8(acc1, multiplier[u + 1], shift[u + 1], output_zero_point, act_min, act_max);
        output[u + 2] = tinyml_requantize_s8(acc2, multiplier[u + 2], shift[u + 2], output_zero_point, act_min, act_max);
        output[u + 3] = tinyml_requantize_s8(acc3, multiplier[u + 3], shift[u + 3], output_zero_point, act_min, act_max);
    }
#endif
    for (; u < units; u++) {
        int32_t acc = bias[u];
        for (int32_t j = 0, w = u; j < inputs; j++, w += units) {
            acc += ((int32_t)input[j] - input_zero_point) * weights[w];
        }
        output[u] = tinyml_requantize_s8(acc, multiplier[u], shift[u], output_zero_point, act_min, act_max);
    }
}
