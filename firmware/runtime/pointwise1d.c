#include "kernel_internal.h"

/* A 1×1 convolution: the conv1d cores with kernel 1, stride 1 and no padding (kernel_internal.h). */
void tinyml_pointwise1d_s8(const int8_t *input, int32_t length, int32_t in_channels,
                           const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                           int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                           int32_t filters, int8_t *output)
{
#if TINYML_DSP
    /* One pair buffer and window for whichever SMLAD core runs (kernel_internal.h). */
    int32_t pairs[8 * TINYML_PAIR_CHUNKS];
    int8_t window[4 * TINYML_PAIR_CHUNKS];
    if (in_channels >= 1 && in_channels <= 4 * TINYML_PAIR_CHUNKS) {
        tinyml_conv_buffered(input, length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                             act_min, act_max, 1, 1, 0, filters, length, output, pairs, window);
        return;
    }
    if (in_channels > 4 * TINYML_PAIR_CHUNKS) {
        tinyml_conv_tiled(input, length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                          act_min, act_max, 1, 1, 0, filters, length, output, pairs, window);
        return;
    }
#endif
    tinyml_conv_plain(input, length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                      act_min, act_max, 1, 1, 0, filters, length, output);
}
