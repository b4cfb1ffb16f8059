#include "tinyml_runtime.h"

/*
 * The window of output t covers taps [first, last) of the kernel that fall inside the input; their input values are
 * contiguous (taps·in_channels of them) and so are the matching weight rows, so one loop over j walks both. Four
 * filters share each input load (weights' last index is the filter, so their four weights are adjacent).
 * Weights are indexed, not walked with a pointer, so no pointer ever leaves its array.
 */
void tinyml_conv1d_s8(const int8_t *input, int32_t in_length, int32_t in_channels,
                      const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                      int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                      int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                      int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t start = t * stride - pad_before;
        const int32_t first = start < 0 ? -start : 0;
        const int32_t last = in_length - start < kernel ? in_length - start : kernel;
        const int32_t taps = last > first ? (last - first) * in_channels : 0;
        const int8_t *x = taps > 0 ? input + (start + first) * in_channels : input;
        const int32_t row0 = first * in_channels * filters;
        int8_t *out = output + t * filters;
        int32_t f = 0;
        for (; f + 4 <= filters; f += 4) {
            int32_t acc0 = bias[f];
            int32_t acc1 = bias[f + 1];
            int32_t acc2 = bias[f + 2];
            int32_t acc3 = bias[f + 3];
            for (int32_t j = 0, w = row0 + f; j < taps; j++, w += filters) {
                const int32_t v = (int32_t)x[j] - input_zero_point;
                acc0 += v * weights[w];
                acc1 += v * weights[w + 1];
                acc2 += v * weights[w + 2];
                acc3 += v * weights[w + 3];
            }
            out[f] = tinyml_requantize_s8(acc0, multiplier[f], shift[f], output_zero_point, act_min, act_max);
            out[f + 1] = tinyml_requantize_s8(acc1, multiplier[f + 1], shift[f + 1], output_zero_point, act_min, act_max);
            out[f + 2] = tinyml_requantize_s8(acc2, multiplier[f + 2], shift[f + 2], output_zero_point, act_min, act_max);
            out[f + 3] = tinyml_requantize_s8(acc3, multiplier[f + 3], shift[f + 3], output_zero_point, act_min, act_max);
        }
        for (; f < filters; f++) {
            int32_t acc = bias[f];
            for (int32_t j = 0, w = row0 + f; j < taps; j++, w += filters) {
                acc += ((int32_t)x[j] - input_zero_point) * weights[w];
            }
            out[f] = tinyml_requantize_s8(acc, multiplier[f], shift[f], output_zero_point, act_min, act_max);
        }
    }
}
