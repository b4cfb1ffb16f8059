/*
 * The input-quality gate: the C twin of readInputGate in packages/core/src/quantize/input-gate.ts.
 */
#include "tinyml_runtime.h"

int32_t tinyml_input_gate(const int8_t *input, int32_t samples, int32_t channels, const int8_t *zero, int32_t jitter_step,
                          int32_t jitter_max, int32_t zero_samples_max)
{
    int32_t jitter = 0;
    int32_t zero_samples = 0;
    for (int32_t t = 0; t < samples; t++) {
        int32_t all_zero = 1;
        for (int32_t c = 0; c < channels; c++) {
            const int32_t x = input[t * channels + c];
            if (x != zero[c]) {
                all_zero = 0;
            }
            if (t > 0 && t < samples - 1) {
                const int32_t bend = (int32_t)input[(t + 1) * channels + c] - 2 * x + (int32_t)input[(t - 1) * channels + c];
                jitter += (bend < 0 ? -bend : bend) > jitter_step;
            }
        }
        zero_samples += all_zero;
    }
    return jitter <= jitter_max && zero_samples <= zero_samples_max;
}
