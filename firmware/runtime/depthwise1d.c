#include "kernel_internal.h"

/*
 * Channels c_begin … c_end − 1 of the depthwise convolution, plainly: channels are contiguous in both the input
 * row and the weight row, so four channels are accumulated side by side down the kernel's taps; padded taps
 * (outside the input) are skipped.
 */
TINYML_INLINE void tinyml_depthwise_plain(const int8_t *input, int32_t in_length, int32_t channels, int32_t c_begin, int32_t c_end,
                                          const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                          int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                          int32_t kernel, int32_t stride, int32_t pad_before, int32_t out_length, int8_t *output)
{
    for (int32_t t = 0; t < out_length; t++) {
        const int32_t start = t * stride - pad_before;
        const int32_t first = start < 0 ? -start : 0;
        const int32_t last = in_length - start < kernel ? in_length - start : kernel;
        int8_t *out = output + t * channels;
        int32_t c = c_begin;
        for (; c + 4 <= c_end; c += 4) {
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
        for (; c < c_end; c++) {
            int32_t acc = bias[c];
            for (int32_t k = first; k < last; k++) {
                acc += ((int32_t)input[(start + k) * channels + c] - input_zero_point) * weights[k * channels + c];
            }
            out[c] = tinyml_requantize_s8(acc, multiplier[c], shift[c], output_zero_point, act_min, act_max);
        }
    }
}

#if TINYML_DSP
#ifndef TINYML_DEPTHWISE_TAPS_MAX
#define TINYML_DEPTHWISE_TAPS_MAX 16
#endif

/* One tap of four channels: the input word's pairs (c0, c2), (c1, c3) times the weights' (SMLABB / SMLATT). */
TINYML_INLINE void tinyml_depthwise_tap(int32_t word, int32_t w02, int32_t w13, int32_t *acc0, int32_t *acc1, int32_t *acc2, int32_t *acc3)
{
    const int32_t x02 = __sxtb16(word);
    const int32_t x13 = tinyml_sxtb16_ror8(word);
    *acc0 = __smlabb(w02, x02, *acc0);
    *acc2 = __smlatt(w02, x02, *acc2);
    *acc1 = __smlabb(w13, x13, *acc1);
    *acc3 = __smlatt(w13, x13, *acc3);
}

/*
 * Groups of four channels with the DSP extension, one group at a time over all steps: the group's weights are
 * sign-extended once (per tap, the pairs (c0, c2) and (c1, c3) SXTB16 gives), the input zero point is hoisted
 * (bias − z·Σ_k w), and each step whose window lies inside the input costs, per tap, one input load, two SXTB16
 * and four single MACs (SMLABB / SMLATT), then the one-rounding requantisation and the SIMD clamp of the conv core.
 * Steps with padded taps take the plain code; returns the channels done (the groups), the caller does the rest.
 */
TINYML_INLINE int32_t tinyml_depthwise_dsp(const int8_t *input, int32_t in_length, int32_t channels,
                                        const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                        int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                        int32_t kernel, int32_t stride, int32_t pad_before, int32_t out_length, int8_t *output)
{
    int32_t w02[TINYML_DEPTHWISE_TAPS_MAX];
    int32_t w13[TINYML_DEPTHWISE_TAPS_MAX];
    const int32_t simd[3] = {tinyml_pack_s16x2(act_min - output_zero_point, act_min - output_zero_point),
                             tinyml_pack_s16x2(act_max - output_zero_point, act_max - output_zero_point),
                             tinyml_pack_s16x2(output_zero_point, output_zero_point)};
    /* Steps with every tap inside the input: start = t·stride − pad_before ≥ 0 and start + kernel ≤ in_length. */
    int32_t t_first = (pad_before + stride - 1) / stride;
    int32_t t_end = in_length - kernel + pad_before >= 0 ? (in_length - kernel + pad_before) / stride + 1 : 0;
    t_first = t_first < out_length ? t_first : out_length;
    t_end = t_end < out_length ? t_end : out_length;
    t_end = t_end > t_first ? t_end : t_first;
    const int32_t groups_end = channels - channels % 4;
    for (int32_t c0 = 0; c0 < groups_end; c0 += 4) {
        int32_t sum[4] = {0, 0, 0, 0};
        for (int32_t k = 0; k < kernel; k++) {
            const int8_t *w = weights + k * channels + c0;
            const int32_t word = tinyml_load_s32(w);
            w02[k] = __sxtb16(word);
            w13[k] = tinyml_sxtb16_ror8(word);
            for (int32_t i = 0; i < 4; i++) {
                sum[i] += w[i];
            }
        }
        int32_t base[4];
        tinyml_channel_requant rq[4];
        int32_t fast = 1;
        for (int32_t i = 0; i < 4; i++) {
            base[i] = bias[c0 + i] - input_zero_point * sum[i];
            rq[i] = tinyml_channel_requant_of(multiplier[c0 + i], shift[c0 + i]);
            fast &= rq[i].fast;
        }
        /* The edge steps: the plain path on this group's channels. */
        for (int32_t t = t_first > 0 ? 0 : t_end; t < out_length; t = t + 1 == t_first ? t_end : t + 1) {
            const int32_t start = t * stride - pad_before;
            const int32_t first = start < 0 ? -start : 0;
            const int32_t last = in_length - start < kernel ? in_length - start : kernel;
            for (int32_t i = 0; i < 4; i++) {
                const int32_t c = c0 + i;
                int32_t acc = bias[c];
                for (int32_t k = first; k < last; k++) {
                    acc += ((int32_t)input[(start + k) * channels + c] - input_zero_point) * weights[k * channels + c];
                }
                output[t * channels + c] = tinyml_requantize_s8(acc, multiplier[c], shift[c], output_zero_point, act_min, act_max);
            }
        }
        for (int32_t t = t_first; t < t_end; t++) {
            const int8_t *x = input + (t * stride - pad_before) * channels + c0;
            int8_t *out = output + t * channels + c0;
            int32_t acc0 = base[0];
            int32_t acc1 = base[1];
            int32_t acc2 = base[2];
            int32_t acc3 = base[3];
            if (kernel == 3) {
                /* The common kernel, unrolled. */
                tinyml_depthwise_tap(tinyml_load_s32(x), w02[0], w13[0], &acc0, &acc1, &acc2, &acc3);
                tinyml_depthwise_tap(tinyml_load_s32(x + channels), w02[1], w13[1], &acc0, &acc1, &acc2, &acc3);
                tinyml_depthwise_tap(tinyml_load_s32(x + 2 * channels), w02[2], w13[2], &acc0, &acc1, &acc2, &acc3);
            } else {
                for (int32_t k = 0; k < kernel; k++) {
                    tinyml_depthwise_tap(tinyml_load_s32(x + k * channels), w02[k], w13[k], &acc0, &acc1, &acc2, &acc3);
                }
            }
            if (fast) {
                tinyml_store4_clamped(tinyml_requantize_clamped_fast(acc0, &rq[0]), tinyml_requantize_clamped_fast(acc1, &rq[1]),
                                      tinyml_requantize_clamped_fast(acc2, &rq[2]), tinyml_requantize_clamped_fast(acc3, &rq[3]), simd, out);
            } else {
                const int32_t acc[4] = {acc0, acc1, acc2, acc3};
                for (int32_t i = 0; i < 4; i++) {
                    out[i] = tinyml_requantize_s8(acc[i], rq[i].multiplier, rq[i].shift, output_zero_point, act_min, act_max);
                }
            }
        }
    }
    return groups_end;
}
#endif

void tinyml_depthwise1d_s8(const int8_t *input, int32_t in_length, int32_t channels,
                           const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                           int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                           int32_t kernel, int32_t stride, int32_t pad_before, int32_t out_length,
                           int8_t *output)
{
    int32_t done = 0;
#if TINYML_DSP
    if (kernel <= TINYML_DEPTHWISE_TAPS_MAX) {
        done = tinyml_depthwise_dsp(input, in_length, channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point, act_min,
                                    act_max, kernel, stride, pad_before, out_length, output);
    }
#endif
    /* The channels the DSP groups left (fewer than four), or all of them. */
    if (done < channels) {
        tinyml_depthwise_plain(input, in_length, channels, done, channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                               act_min, act_max, kernel, stride, pad_before, out_length, output);
    }
}
