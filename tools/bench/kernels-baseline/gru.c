#include "tinyml_runtime.h"

/* round(q15 · value / 2^15), ties away from zero, in int64 (|q15 · value| < 2^47). */
static int32_t rounded_q15_product(int32_t q15, int32_t value)
{
    const int64_t product = (int64_t)q15 * value;
    const int64_t magnitude = ((product >= 0 ? product : -product) + 16384) >> 15;
    return (int32_t)(product >= 0 ? magnitude : -magnitude);
}

void tinyml_gru_s8(const int8_t *input, int32_t steps, int32_t in_channels, int32_t units,
                   const int8_t *kernel, const int8_t *recurrent, const int32_t *bias,
                   const int32_t *kernel_multiplier, const int32_t *kernel_shift,
                   const int32_t *recurrent_multiplier, const int32_t *recurrent_shift,
                   int32_t output_multiplier, int32_t output_shift,
                   int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                   int32_t return_sequences, int16_t *state, int32_t *gates, int8_t *output)
{
    const int32_t g = 3 * units;
    int32_t *x_side = gates;
    int32_t *h_side = gates + g;
    for (int32_t j = 0; j < units; j++) {
        state[j] = 0;
    }
    for (int32_t t = 0; t < steps; t++) {
        const int8_t *x = input + t * in_channels;
        /* x·W + b_in and h·U + b_rec for every gate column, accumulated row by row into the int32 scratch: the inner
         * loops walk contiguous weights and scratch. */
        for (int32_t k = 0; k < g; k++) {
            x_side[k] = bias[k];
            h_side[k] = bias[g + k];
        }
        for (int32_t c = 0; c < in_channels; c++) {
            const int32_t v = (int32_t)x[c] - input_zero_point;
            const int8_t *row = kernel + c * g;
            for (int32_t k = 0; k < g; k++) {
                x_side[k] += v * row[k];
            }
        }
        for (int32_t j = 0; j < units; j++) {
            const int32_t h = state[j];
            const int8_t *row = recurrent + j * g;
            for (int32_t k = 0; k < g; k++) {
                h_side[k] += h * row[k];
            }
        }
        for (int32_t j = 0; j < units; j++) {
            const int32_t zc = j;
            const int32_t rc = units + j;
            const int32_t hc = 2 * units + j;
            const int64_t z_pre = (int64_t)tinyml_multiply_by_quantized_multiplier(x_side[zc], kernel_multiplier[zc], kernel_shift[zc]) +
                                  tinyml_multiply_by_quantized_multiplier(h_side[zc], recurrent_multiplier[zc], recurrent_shift[zc]);
            const int64_t r_pre = (int64_t)tinyml_multiply_by_quantized_multiplier(x_side[rc], kernel_multiplier[rc], kernel_shift[rc]) +
                                  tinyml_multiply_by_quantized_multiplier(h_side[rc], recurrent_multiplier[rc], recurrent_shift[rc]);
            const int32_t z = tinyml_sigmoid_q15(tinyml_saturate_int32(z_pre));
            const int32_t r = tinyml_sigmoid_q15(tinyml_saturate_int32(r_pre));
            const int32_t recurrent_h = tinyml_multiply_by_quantized_multiplier(h_side[hc], recurrent_multiplier[hc], recurrent_shift[hc]);
            const int64_t h_pre = (int64_t)tinyml_multiply_by_quantized_multiplier(x_side[hc], kernel_multiplier[hc], kernel_shift[hc]) +
                                  rounded_q15_product(r, recurrent_h);
            const int32_t candidate = tinyml_tanh_q15(tinyml_saturate_int32(h_pre));
            /* |z·h + (32768 − z)·ĥ| ≤ 32768·32767: fits int32. */
            state[j] = (int16_t)tinyml_rounding_divide_by_pot(z * (int32_t)state[j] + (32768 - z) * candidate, 15);
        }
        if (return_sequences || t == steps - 1) {
            int8_t *out = output + (return_sequences ? t * units : 0);
            for (int32_t j = 0; j < units; j++) {
                out[j] = tinyml_requantize_s8(state[j], output_multiplier, output_shift, output_zero_point, act_min, act_max);
            }
        }
    }
}
