#include "tinyml_runtime.h"

/* A dense layer at every time step: four filters share each input load. */
void tinyml_pointwise1d_s8(const int8_t *input, int32_t length, int32_t in_channels,
                           const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                           int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                           int32_t filters, int8_t *output)
{
    for (int32_t t = 0; t < length; t++) {
        tinyml_dense_s8(input + t * in_channels, in_channels, weights, bias, multiplier, shift,
                        input_zero_point, output_zero_point, act_min, act_max, filters, output + t * filters);
    }
}
