/*
 * Raw sensor samples to the model's int8 input: the C twin of rawToInput in packages/core/src/quantize/raw-input.ts
 * (one affine map per channel with the z-scoring and the input quantisation folded in; see that file).
 */
#include "tinyml_runtime.h"

void tinyml_input_from_raw_s16(const int16_t *raw, int32_t samples, int32_t channels, const int32_t *conversion,
                               int32_t zero_point, int8_t *output)
{
    for (int32_t t = 0; t < samples; t++) {
        for (int32_t c = 0; c < channels; c++) {
            const int32_t *map = &conversion[3 * c];
            /* count · 2^8 − offset: |count · 2^8| < 2^23 and |offset| < 2^23, so no overflow. */
            const int32_t x = (int32_t)raw[t * channels + c] * (1 << TINYML_RAW_OFFSET_FRACTION_BITS) - map[0];
            output[t * channels + c] = tinyml_requantize_s8(x, map[1], map[2], zero_point, -128, 127);
        }
    }
}
