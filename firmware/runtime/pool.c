#include "kernel_internal.h"

/* TFLite's integer mean: (sum ± count/2) / count, C's division truncating toward zero: ties away from zero. */
static int8_t rounded_mean(int32_t sum, int32_t count)
{
    const int32_t half = count / 2;
    return (int8_t)(sum > 0 ? (sum + half) / count : (sum - half) / count);
}

/*
 * With the DSP extension four channels at a time: SSUB8 sets a lane's GE flag where the new byte is at least the
 * best so far, SEL takes those bytes (a byte-wise signed max in two instructions).
 */
void tinyml_maxpool1d_s8(const int8_t *input, int32_t channels, int32_t pool, int32_t stride, int32_t out_length, int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t x0 = t * stride * channels;
        int32_t c = 0;
#if TINYML_DSP
        for (; c + 4 <= channels; c += 4) {
            int32_t best = tinyml_load_s32(input + x0 + c);
            for (int32_t k = 1; k < pool; k++) {
                const int32_t v = tinyml_load_s32(input + x0 + k * channels + c);
                (void)__ssub8(v, best);
                best = tinyml_as_s32(__sel((uint32_t)v, (uint32_t)best));
            }
            memcpy(output + t * channels + c, &best, sizeof best);
        }
#endif
        for (; c < channels; c++) {
            int8_t best = input[x0 + c];
            for (int32_t k = 1; k < pool; k++) {
                const int8_t v = input[x0 + k * channels + c];
                best = v > best ? v : best;
            }
            output[t * channels + c] = best;
        }
    }
}

/*
 * With the DSP extension a window of 2 takes four channels at a time: SHADD8 gives each byte's floor((a + b) / 2),
 * which is the rounded mean except for an odd sum above zero (ties away from zero: one more). The sum is odd where
 * bit 0 of a ^ b is set and above zero where the halved byte is not negative (bit 7 clear); the increment cannot
 * carry into the next byte (an odd positive sum is at most 253, its floor half 126).
 */
void tinyml_avgpool1d_s8(const int8_t *input, int32_t channels, int32_t pool, int32_t stride, int32_t out_length, int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t x0 = t * stride * channels;
        int32_t c = 0;
#if TINYML_DSP
        if (pool == 2) {
            const int8_t *a = input + x0;
            const int8_t *b = a + channels;
            int8_t *out = output + t * channels;
            for (; c + 4 <= channels; c += 4) {
                const int32_t x = tinyml_load_s32(a + c);
                const int32_t y = tinyml_load_s32(b + c);
                const uint32_t half = (uint32_t)__shadd8(x, y);
                const uint32_t mean = half + (((uint32_t)x ^ (uint32_t)y) & ~(half >> 7) & UINT32_C(0x01010101));
                memcpy(out + c, &mean, sizeof mean);
            }
        }
#endif
        for (; c < channels; c++) {
            int32_t sum = 0;
            for (int32_t k = 0; k < pool; k++) {
                sum += input[x0 + k * channels + c];
            }
            output[t * channels + c] = rounded_mean(sum, pool);
        }
    }
}

#if TINYML_DSP
/* acc + the sign-extended byte 1, 2 or 3 of word: SXTAB with ROR #8 / #16 / #24 (byte 0: SXTAB). */
#define TINYML_SXTAB_ROR(acc, word, rotation) __asm__("sxtab %0, %0, %1, ror #" #rotation : "+r"(acc) : "r"(word))
#endif

/* With the DSP extension four channels at a time: one word load, four SXTAB (sign-extend a byte and add). */
void tinyml_globalavgpool_s8(const int8_t *input, int32_t length, int32_t channels, int8_t *output)
{
    int32_t c = 0;
#if TINYML_DSP
    for (; c + 4 <= channels; c += 4) {
        int32_t s0 = 0;
        int32_t s1 = 0;
        int32_t s2 = 0;
        int32_t s3 = 0;
        for (int32_t t = 0; t < length; t++) {
            const int32_t word = tinyml_load_s32(input + t * channels + c);
            __asm__("sxtab %0, %0, %1" : "+r"(s0) : "r"(word));
            TINYML_SXTAB_ROR(s1, word, 8);
            TINYML_SXTAB_ROR(s2, word, 16);
            TINYML_SXTAB_ROR(s3, word, 24);
        }
        output[c] = rounded_mean(s0, length);
        output[c + 1] = rounded_mean(s1, length);
        output[c + 2] = rounded_mean(s2, length);
        output[c + 3] = rounded_mean(s3, length);
    }
#endif
    for (; c < channels; c++) {
        int32_t sum = 0;
        for (int32_t t = 0; t < length; t++) {
            sum += input[t * channels + c];
        }
        output[c] = rounded_mean(sum, length);
    }
}
