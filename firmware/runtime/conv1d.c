#include "kernel_internal.h"

/*
 * On Cortex-M4/M7 (DSP extension) the SMLAD cores in kernel_internal.h, by rows = kernel · in_channels: up to
 * 4 · TINYML_PAIR_CHUNKS the buffered core (4 filters a group), up to 8 · TINYML_PAIR_CHUNKS the paired core (2
 * filters × 2 steps), beyond that the tiled core (the reduction in tiles); all in the same pair buffer. Layers with
 * fewer than TINYML_MIN_PAIR_STEPS steps inside the input, and every layer elsewhere, run the plain core.
 * A paired-size layer of at most TINYML_TILE_STEPS output steps takes the tiled core instead: its steps are one
 * block, so the tiled core gathers each weight once too, with the cheaper four-filter re-layout, and its edge steps
 * read padded copies through the pair dot product instead of the paired core's unbuffered step (conv 32→64 k5 s2
 * over 8 steps: 160,037 → 144,471 instructions).
 */
void tinyml_conv1d_s8(const int8_t *input, int32_t in_length, int32_t in_channels,
                      const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                      int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                      int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                      int8_t *output)
{
#if TINYML_DSP
    /* One pair buffer and window for whichever SMLAD core runs (kernel_internal.h). */
    int32_t pairs[8 * TINYML_PAIR_CHUNKS];
    int8_t window[4 * TINYML_PAIR_CHUNKS];
    const int32_t rows = kernel * in_channels;
    if (rows >= 1 && tinyml_pair_steps(in_length, in_channels, rows, stride, pad_before, out_length) >= TINYML_MIN_PAIR_STEPS) {
        if (rows <= 4 * TINYML_PAIR_CHUNKS) {
            tinyml_conv_buffered(input, in_length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                                 act_min, act_max, kernel, stride, pad_before, filters, out_length, output, pairs, window);
        } else if (rows <= 8 * TINYML_PAIR_CHUNKS && __builtin_expect_with_probability(out_length > TINYML_TILE_STEPS, 1, 0.999)) {
            /* The hint keeps GCC's estimate of how often each core runs where it was before the short-layer route:
             * without it the register allocation of the whole inlined function shifted (the paired core's dot
             * product spilled, conv 32→32 k5 over 30 steps: +12,000 instructions). */
            tinyml_conv_paired(input, in_length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                               act_min, act_max, kernel, stride, pad_before, filters, out_length, output, pairs);
        } else {
            tinyml_conv_tiled(input, in_length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                              act_min, act_max, kernel, stride, pad_before, filters, out_length, output, pairs, window);
        }
        return;
    }
#endif
    tinyml_conv_plain(input, in_length, in_channels, weights, bias, multiplier, shift, input_zero_point, output_zero_point,
                      act_min, act_max, kernel, stride, pad_before, filters, out_length, output);
}
