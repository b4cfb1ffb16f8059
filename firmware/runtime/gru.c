#include "kernel_internal.h"

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
        /* x·W + b_in and h·U + b_rec for every gate column, four columns at a time with their accumulators in
         * registers (the weights' last index is the column, so a row's four weights are adjacent). */
        int32_t k = 0;
        for (; k + 4 <= g; k += 4) {
            int32_t acc[4] = {bias[k], bias[k + 1], bias[k + 2], bias[k + 3]};
#if TINYML_DSP
            tinyml_matvec4_s8(x, in_channels, input_zero_point, kernel + k, g, acc);
#else
            for (int32_t c = 0; c < in_channels; c++) {
                const int32_t v = (int32_t)x[c] - input_zero_point;
                const int8_t *row = kernel + c * g + k;
                acc[0] += v * row[0];
                acc[1] += v * row[1];
                acc[2] += v * row[2];
                acc[3] += v * row[3];
            }
#endif
            x_side[k] = acc[0];
            x_side[k + 1] = acc[1];
            x_side[k + 2] = acc[2];
            x_side[k + 3] = acc[3];
            int32_t rec[4] = {bias[g + k], bias[g + k + 1], bias[g + k + 2], bias[g + k + 3]};
#if TINYML_DSP
            tinyml_matvec4_s16(state, units, recurrent + k, g, rec);
#else
            for (int32_t j = 0; j < units; j++) {
                const int32_t h = state[j];
                const int8_t *row = recurrent + j * g + k;
                rec[0] += h * row[0];
                rec[1] += h * row[1];
                rec[2] += h * row[2];
                rec[3] += h * row[3];
            }
#endif
            h_side[k] = rec[0];
            h_side[k + 1] = rec[1];
            h_side[k + 2] = rec[2];
            h_side[k + 3] = rec[3];
        }
        for (; k < g; k++) {
            int32_t acc = bias[k];
            for (int32_t c = 0; c < in_channels; c++) {
                acc += ((int32_t)x[c] - input_zero_point) * kernel[c * g + k];
            }
            x_side[k] = acc;
            int32_t rec = bias[g + k];
            for (int32_t j = 0; j < units; j++) {
                rec += (int32_t)state[j] * recurrent[j * g + k];
            }
            h_side[k] = rec;
        }
        for (int32_t j = 0; j < units; j++) {
            const int32_t zc = j;
            const int32_t rc = units + j;
            const int32_t hc = 2 * units + j;
            const int32_t z_pre = tinyml_add_saturate(tinyml_multiply_by_quantized_multiplier(x_side[zc], kernel_multiplier[zc], kernel_shift[zc]),
                                                      tinyml_multiply_by_quantized_multiplier(h_side[zc], recurrent_multiplier[zc], recurrent_shift[zc]));
            const int32_t r_pre = tinyml_add_saturate(tinyml_multiply_by_quantized_multiplier(x_side[rc], kernel_multiplier[rc], kernel_shift[rc]),
                                                      tinyml_multiply_by_quantized_multiplier(h_side[rc], recurrent_multiplier[rc], recurrent_shift[rc]));
            const int32_t z = tinyml_sigmoid_q15(z_pre);
            const int32_t r = tinyml_sigmoid_q15(r_pre);
            const int32_t recurrent_h = tinyml_multiply_by_quantized_multiplier(h_side[hc], recurrent_multiplier[hc], recurrent_shift[hc]);
            const int32_t h_pre = tinyml_add_saturate(tinyml_multiply_by_quantized_multiplier(x_side[hc], kernel_multiplier[hc], kernel_shift[hc]),
                                                      rounded_q15_product(r, recurrent_h));
            const int32_t candidate = tinyml_tanh_q15(h_pre);
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
