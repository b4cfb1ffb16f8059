#include "tinyml_runtime.h"

/* TFLite's integer mean: (sum ± count/2) / count, C's division truncating toward zero: ties away from zero. */
static int8_t rounded_mean(int32_t sum, int32_t count)
{
    const int32_t half = count / 2;
    return (int8_t)(sum > 0 ? (sum + half) / count : (sum - half) / count);
}

void tinyml_maxpool1d_s8(const int8_t *input, int32_t channels, int32_t pool, int32_t stride, int32_t out_length, int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t x0 = t * stride * channels;
        for (int32_t c = 0; c < channels; c++) {
            int8_t best = input[x0 + c];
            for (int32_t k = 1; k < pool; k++) {
                const int8_t v = input[x0 + k * channels + c];
                best = v > best ? v : best;
            }
            output[t * channels + c] = best;
        }
    }
}

void tinyml_avgpool1d_s8(const int8_t *input, int32_t channels, int32_t pool, int32_t stride, int32_t out_length, int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t x0 = t * stride * channels;
        for (int32_t c = 0; c < channels; c++) {
            int32_t sum = 0;
            for (int32_t k = 0; k < pool; k++) {
                sum += input[x0 + k * channels + c];
            }
            output[t * channels + c] = rounded_mean(sum, pool);
        }
    }
}

void tinyml_globalavgpool_s8(const int8_t *input, int32_t length, int32_t channels, int8_t *output)
{
    for (int32_t c = 0; c < channels; c++) {
        int32_t sum = 0;
        for (int32_t t = 0; t < length; t++) {
            sum += input[t * channels + c];
        }
        output[c] = rounded_mean(sum, length);
    }
}
