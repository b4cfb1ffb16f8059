#include "tinyml_runtime.h"

/*
 * Channels are contiguous in both the input row and the weight row, so four channels are accumulated side by side
 * down the kernel's taps; padded taps (outside the input) are skipped.
 */
void tinyml_depthwise1d_s8(const int8_t *input, int32_t in_length, int32_t channels,
                           const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                           int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                           int32_t kernel, int32_t stride, int32_t pad_before, int32_t out_length,
                           int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t start = t * stride - pad_before;
        const int32_t first = start < 0 ? -start : 0;
        const int32_t last = in_length - start < kernel ? in_length - start : kernel;
        int8_t *out = output + t * channels;
        int32_t c = 0;
        for (; c + 4 <= channels; c += 4) {
            int32_t acc0 = bias[c];
            int32_t acc1 = bias[c + 1];
            int32_t acc2 = bias[c + 2];
            int32_t acc3 = bias[c + 3];
            for (int32_t k = first; k < last; k++) {
                const int32_t xi = (start + k) * channels + c;
                const int32_t wi = k * channels + c;
                acc0 += ((int32_t)input[xi] - input_zero_point) * weights[wi];
                acc1 += ((int32_t)input[xi + 1] - input_zero_point) * weights[wi + 1];
                acc2 += ((int32_t)input[xi + 2] - input_zero_point) * weights[wi + 2];
                acc3 += ((int32_t)input[xi + 3] - input_zero_point) * weights[wi + 3];
            }
            out[c] = tinyml_requantize_s8(acc0, multiplier[c], shift[c], output_zero_point, act_min, act_max);
            out[c + 1] = tinyml_requantize_s8(acc1, multiplier[c + 1], shift[c + 1], output_zero_point, act_min, act_max);
            out[c + 2] = tinyml_requantize_s8(acc2, multiplier[c + 2], shift[c + 2], output_zero_point, act_min, act_max);
            out[c + 3] = tinyml_requantize_s8(acc3, multiplier[c + 3], shift[c + 3], output_zero_point, act_min, act_max);
        }
        for (; c < channels; c++) {
            int32_t acc = bias[c];
            for (int32_t k = first; k < last; k++) {
                acc += ((int32_t)input[(start + k) * channels + c] - input_zero_point) * weights[k * channels + c];
            }
            out[c] = tinyml_requantize_s8(acc, multiplier[c], shift[c], output_zero_point, act_min, act_max);
        }
    }
}
