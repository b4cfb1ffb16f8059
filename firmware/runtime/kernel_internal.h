/*
 * Internals shared by the linear kernels (not part of the runtime's API): the Cortex-M DSP-extension helpers and
 * the tiled cores of conv1d / pointwise1d. Everything here is `static inline` and always inlined, so each kernel
 * stays one self-contained function (the flash-test stage counts instructions per kernel function).
 *
 * Two implementations of every core, chosen at compile time:
 * - TINYML_DSP (ARMv7E-M: Cortex-M4/M7, `__ARM_FEATURE_DSP`): int8 pairs sign-extended with SXTB16 and two MACs per
 *   SMLAD instruction (ACLE intrinsics, arm_acle.h).
 * - the plain C path everywhere else (RV32, Xtensa, the host): register tiles of 32-bit multiply-adds.
 * Both compute exactly the same int32 sums as the TypeScript reference (integer addition is associative; every
 * partial sum stays within the accumulator bound of tinyml_runtime.h, see TINYML_DSP below), so the requantised
 * outputs are bit-identical. Define TINYML_NO_DSP to force the plain path on an ARMv7E-M core.
 */
#ifndef TINYML_KERNEL_INTERNAL_H
#define TINYML_KERNEL_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "tinyml_runtime.h"

#if defined(TINYML_PROFILE)
#define TINYML_INLINE static __attribute__((noinline))
#elif defined(__GNUC__)
#define TINYML_INLINE static inline __attribute__((always_inline))
#else
#define TINYML_INLINE static inline
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && !defined(TINYML_NO_DSP)
#define TINYML_DSP 1
#include <arm_acle.h>
#else
#define TINYML_DSP 0
#endif

/* Four bytes from any address as one word (one LDR on Cortex-M, which allows unaligned LDR; not LDRD/LDM). */
TINYML_INLINE int32_t tinyml_load_s32(const int8_t *p)
{
    int32_t word;
    memcpy(&word, p, sizeof word);
    return word;
}

/* The int16 pair (low, high) as one word: low in bits 0–15, high in bits 16–31 (no implementation-defined cast). */
TINYML_INLINE int32_t tinyml_pack_s16x2(int32_t low, int32_t high)
{
    return high * 65536 + (int32_t)((uint32_t)low & 0xFFFFu);
}

/*
 * Requantisation constants of one output channel, computed once per call (or filter group). `fast` channels
 * (multiplier in [2^30, 2^31), shift in [−22, −1]: what the quantiser produces for scales below 2^−1) take
 * tinyml_requantize_clamped_fast, the others tinyml_requantize_s8.
 */
typedef struct {
    int32_t multiplier2; /* 2·multiplier as an int32: 2·multiplier − 2^32 */
    int32_t half;        /* 2^(e−1) */
    int32_t exponent;    /* e = −shift */
    int32_t fast;
    int32_t multiplier;
    int32_t shift;
} tinyml_channel_requant;

#define TINYML_FAST_SHIFT_MIN (-22)

TINYML_INLINE tinyml_channel_requant tinyml_channel_requant_of(int32_t multiplier, int32_t shift)
{
    tinyml_channel_requant r;
    r.multiplier = multiplier;
    r.shift = shift;
    r.fast = multiplier >= (INT32_C(1) << 30) && shift < 0 && shift >= TINYML_FAST_SHIFT_MIN;
    r.exponent = r.fast ? -shift : 1;
    r.half = INT32_C(1) << (r.exponent - 1);
    r.multiplier2 = r.fast ? (int32_t)(2 * (int64_t)multiplier - 4294967296) : 0;
    return r;
}

#if TINYML_DSP
/*
 * Accumulation with the DSP extension: SMLAD adds two 16×16 products to a 32-bit accumulator, wrapping modulo
 * 2^32 (it is an instruction, not C arithmetic: no undefined behaviour). Every partial sum the kernels form is
 * bias + Σ (x − z)·w over some taps − z·Σ w over the others, each term at most 255·128 in magnitude, so it never
 * leaves [−INT32_MAX, INT32_MAX] under the quantiser's bound |bias| + taps·255·128 ≤ INT32_MAX.
 */

/* Bytes 1 and 3 of a word, sign-extended to an int16 pair (SXTB16 with ROR #8, which ACLE has no intrinsic for). */
TINYML_INLINE int32_t tinyml_sxtb16_ror8(int32_t word)
{
    int32_t pair;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(pair) : "r"(word));
    return pair;
}

/* (low half of a, low half of b) as an int16 pair: PKHBT. */
TINYML_INLINE int32_t tinyml_pkhbt(int32_t a, int32_t b)
{
    int32_t pair;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(pair) : "r"(a), "r"(b));
    return pair;
}

/* x saturated to [−32768, 32767]: SSAT #16 (ACLE's __ssat trips -Wsign-conversion in GCC 12's arm_acle.h). */
TINYML_INLINE int32_t tinyml_ssat16(int32_t x)
{
    int32_t saturated;
    __asm__("ssat %0, #16, %1" : "=r"(saturated) : "r"(x));
    return saturated;
}

/* (high half of b, high half of a) as an int16 pair: PKHTB. */
TINYML_INLINE int32_t tinyml_pkhtb(int32_t a, int32_t b)
{
    int32_t pair;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(pair) : "r"(a), "r"(b));
    return pair;
}

/*
 * tinyml_multiply_by_quantized_multiplier(acc, multiplier, shift) for a fast channel, as far as a following clamp
 * to ±511 can tell (every output path clamps within ±255):
 *   y = SRDHM(acc, m) = floor((acc·m + 2^30) / 2^31) = floor((acc·2^32 + acc·(2m − 2^32) + 2^31) / 2^32): one SMMLAR
 *       (m ≥ 2^30, so 2m − 2^32 is an int32; the product cannot saturate since m ≠ INT32_MIN),
 *   r = RDBPOT(y, e) = floor((y + 2^(e−1) − [y < 0]) / 2^e), with [y < 0] taken as [acc < 0] (m > 0: the signs
 *       agree whenever y ≠ 0, and for y = 0 both give 0).
 * y + 2^(e−1) − s saturates (QADD) instead of overflowing; it only does when the exact r ≥ 2^(31−e) − 1 ≥ 511
 * (e ≤ 22), where the saturated one is ≥ 511 too: both clamp alike.
 */
TINYML_INLINE int32_t tinyml_requantize_clamped_fast(int32_t acc, const tinyml_channel_requant *r)
{
    int32_t multiplier2;
    int32_t half;
    __asm__("ldrd %0, %1, %2" : "=r"(multiplier2), "=r"(half) : "m"(*(const int32_t(*)[2])r));
    int32_t y;
    __asm__("smmlar %0, %1, %2, %1" : "=r"(y) : "r"(acc), "r"(multiplier2));
    const int32_t sum = __qadd(y, half - (int32_t)((uint32_t)acc >> 31));
    return sum >= 0 ? sum >> r->exponent : ~((~sum) >> r->exponent);
}

/*
 * Four requantised values to four int8 outputs with SIMD clamping: saturate to int16 (any bound beyond ±255 gives
 * the same clamp), pack as the pairs (v0, v2) and (v1, v3), clamp both lanes to [low, high] with SSUB16 + SEL, add
 * the zero point, and store the four low bytes with one (unaligned) word store. low2 / high2 / zero2 are the bounds
 * and zero point duplicated in both halves.
 */
TINYML_INLINE void tinyml_store4_clamped(int32_t v0, int32_t v1, int32_t v2, int32_t v3, int32_t low2, int32_t high2, int32_t zero2, int8_t *out)
{
    int32_t p02 = tinyml_pkhbt(tinyml_ssat16(v0), tinyml_ssat16(v2));
    int32_t p13 = tinyml_pkhbt(tinyml_ssat16(v1), tinyml_ssat16(v3));
    (void)__ssub16(p02, low2);
    p02 = (int32_t)__sel((uint32_t)p02, (uint32_t)low2);
    (void)__ssub16(p02, high2);
    p02 = (int32_t)__sel((uint32_t)high2, (uint32_t)p02);
    (void)__ssub16(p13, low2);
    p13 = (int32_t)__sel((uint32_t)p13, (uint32_t)low2);
    (void)__ssub16(p13, high2);
    p13 = (int32_t)__sel((uint32_t)high2, (uint32_t)p13);
    p02 = __sadd16(p02, zero2);
    p13 = __sadd16(p13, zero2);
    const uint32_t bytes = __uxtb16((uint32_t)p02) | (__uxtb16((uint32_t)p13) << 8);
    memcpy(out, &bytes, sizeof bytes);
}

/* Two words from a word-aligned address, advancing it by 8 (one post-indexed LDRD; GCC splits 64-bit loads). */
#define TINYML_LOAD_PAIR_ADVANCE(first, second, pointer)                                                        \
    __asm__("ldrd %0, %1, [%2], #8" : "=r"(first), "=r"(second), "+r"(pointer) : "m"(*(const int32_t(*)[2])(pointer)))

/*
 * The buffered conv core. Weights of four consecutive filters are re-laid out once per call as int16 pairs — for
 * rows (input values) r = 4c … 4c + 3 of chunk c and filter i: pairs[8c + 2i] = (w[4c][i], w[4c + 2][i]) and
 * pairs[8c + 2i + 1] = (w[4c + 1][i], w[4c + 3][i]) — the order SXTB16 unpacks a word of four inputs in: (x0, x2)
 * and (x1, x3). Then every output step costs, per four rows and four filters, one input load, two SXTB16, four
 * LDRD and eight SMLAD. The buffer lives on the stack: TINYML_PAIR_CHUNKS chunks (rows = kernel · in_channels up
 * to 4 · TINYML_PAIR_CHUNKS), 32 bytes each, plus a 4-byte-per-chunk window for edge steps; larger layers take
 * the unbuffered path.
 */
#ifndef TINYML_PAIR_CHUNKS
#define TINYML_PAIR_CHUNKS 32
#endif

/* acc[i] += Σ_rows x[r]·pairs(filter i), over `chunks` chunks of four rows; x may be unaligned. */
TINYML_INLINE void tinyml_dot4_pairs(const int8_t *x, int32_t chunks, const int32_t *pairs, int32_t *acc0, int32_t *acc1, int32_t *acc2, int32_t *acc3)
{
    int32_t a0 = *acc0;
    int32_t a1 = *acc1;
    int32_t a2 = *acc2;
    int32_t a3 = *acc3;
    const int8_t *end = x + 4 * chunks;
    while (x != end) {
        const int32_t word = tinyml_load_s32(x);
        x += 4;
        const int32_t x02 = __sxtb16(word);
        const int32_t x13 = tinyml_sxtb16_ror8(word);
        int32_t p;
        int32_t q;
        TINYML_LOAD_PAIR_ADVANCE(p, q, pairs);
        a0 = __smlad(p, x02, a0);
        a0 = __smlad(q, x13, a0);
        TINYML_LOAD_PAIR_ADVANCE(p, q, pairs);
        a1 = __smlad(p, x02, a1);
        a1 = __smlad(q, x13, a1);
        TINYML_LOAD_PAIR_ADVANCE(p, q, pairs);
        a2 = __smlad(p, x02, a2);
        a2 = __smlad(q, x13, a2);
        TINYML_LOAD_PAIR_ADVANCE(p, q, pairs);
        a3 = __smlad(p, x02, a3);
        a3 = __smlad(q, x13, a3);
    }
    *acc0 = a0;
    *acc1 = a1;
    *acc2 = a2;
    *acc3 = a3;
}

/*
 * One output step of a filter group: the accumulators from `base` (bias − z·Σw), the pair dot product over the
 * window x, and the group's outputs requantised. `fast` (a constant at each call site): a full group whose four
 * channels take the one-rounding requantisation and the SIMD clamp; otherwise each output goes through
 * tinyml_requantize_s8.
 */
TINYML_INLINE void tinyml_conv_step(const int8_t *x, int32_t chunks, const int32_t *pairs, const int32_t *base,
                                    const tinyml_channel_requant *rq, int32_t group, int32_t fast, const int32_t *simd,
                                    int32_t output_zero_point, int32_t act_min, int32_t act_max, int8_t *out)
{
    int32_t acc0 = base[0];
    int32_t acc1 = base[1];
    int32_t acc2 = base[2];
    int32_t acc3 = base[3];
    tinyml_dot4_pairs(x, chunks, pairs, &acc0, &acc1, &acc2, &acc3);
    if (fast) {
        tinyml_store4_clamped(tinyml_requantize_clamped_fast(acc0, &rq[0]), tinyml_requantize_clamped_fast(acc1, &rq[1]),
                              tinyml_requantize_clamped_fast(acc2, &rq[2]), tinyml_requantize_clamped_fast(acc3, &rq[3]), simd[0], simd[1], simd[2], out);
    } else {
        const int32_t acc[4] = {acc0, acc1, acc2, acc3};
        for (int32_t i = 0; i < group; i++) {
            out[i] = tinyml_requantize_s8(acc[i], rq[i].multiplier, rq[i].shift, output_zero_point, act_min, act_max);
        }
    }
}

/*
 * conv1d over `rows` = kernel · in_channels ≤ 4 · TINYML_PAIR_CHUNKS with the pair buffer (pointwise1d is kernel 1).
 * The input zero point is hoisted: Σ (x − z)·w = Σ x·w − z·Σ w, with Σ w per filter taken while re-laying out the
 * weights. Steps whose window lies inside the input, together with the up to three bytes the last chunk
 * over-reads, read it in place: t in [t_first, t_end). The other steps (`same` padding at either edge, the end of
 * the input) read a copy with the zero point in the padded taps ((z − z)·w = 0, the same as skipping them) and
 * zeros past the last row, whose weights are zero.
 */
TINYML_INLINE void tinyml_conv_buffered(const int8_t *input, int32_t in_length, int32_t in_channels,
                                        const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                        int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                        int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                                        int8_t *output)
{
    int32_t pairs[8 * TINYML_PAIR_CHUNKS];
    int8_t window[4 * TINYML_PAIR_CHUNKS];
    const int32_t rows = kernel * in_channels;
    const int32_t chunks = (rows + 3) / 4;
    const int32_t span = 4 * chunks;
    const int32_t input_bytes = in_length * in_channels;
    /* The clamp bounds relative to the zero point, and the zero point, in both int16 halves (tinyml_store4_clamped). */
    const int32_t simd[3] = {tinyml_pack_s16x2(act_min - output_zero_point, act_min - output_zero_point),
                             tinyml_pack_s16x2(act_max - output_zero_point, act_max - output_zero_point),
                             tinyml_pack_s16x2(output_zero_point, output_zero_point)};
    /* In place when start = t·stride − pad_before ≥ 0 and start·in_channels + span ≤ input_bytes. */
    int32_t t_first = (pad_before + stride - 1) / stride;
    int32_t t_end = input_bytes >= span ? ((input_bytes - span) / in_channels + pad_before) / stride + 1 : 0;
    t_first = t_first < out_length ? t_first : out_length;
    t_end = t_end < out_length ? t_end : out_length;
    t_end = t_end > t_first ? t_end : t_first;
    const int32_t x_step = stride * in_channels;
    for (int32_t f0 = 0; f0 < filters; f0 += 4) {
        const int32_t group = filters - f0 < 4 ? filters - f0 : 4;
        int32_t base[4];
        tinyml_channel_requant rq[4];
        int32_t sum[4] = {0, 0, 0, 0};
        if (group == 4) {
            /* Rows r as words of the four filters' weights; PKHBT / PKHTB put rows (0, 2) and (1, 3) of a chunk side by
             * side, SXTB16 (ROR 8) then splits each filter's pair out. Σw by SMLAD against (1, 1). */
            const int32_t ones = 0x00010001;
            for (int32_t c = 0; c < chunks; c++) {
                int32_t w[4];
                for (int32_t k = 0; k < 4; k++) {
                    const int32_t r = 4 * c + k;
                    w[k] = r < rows ? tinyml_load_s32(weights + r * filters + f0) : 0;
                }
                const int32_t low02 = tinyml_pkhbt(w[0], w[2]);
                const int32_t low13 = tinyml_pkhbt(w[1], w[3]);
                const int32_t high02 = tinyml_pkhtb(w[2], w[0]);
                const int32_t high13 = tinyml_pkhtb(w[3], w[1]);
                int32_t *p = &pairs[8 * c];
                p[0] = __sxtb16(low02);
                p[1] = __sxtb16(low13);
                p[2] = tinyml_sxtb16_ror8(low02);
                p[3] = tinyml_sxtb16_ror8(low13);
                p[4] = __sxtb16(high02);
                p[5] = __sxtb16(high13);
                p[6] = tinyml_sxtb16_ror8(high02);
                p[7] = tinyml_sxtb16_ror8(high13);
                for (int32_t i = 0; i < 4; i++) {
                    sum[i] = __smlad(p[2 * i], ones, __smlad(p[2 * i + 1], ones, sum[i]));
                }
            }
        } else {
            for (int32_t c = 0; c < chunks; c++) {
                for (int32_t i = 0; i < 4; i++) {
                    int32_t w[4];
                    for (int32_t k = 0; k < 4; k++) {
                        const int32_t r = 4 * c + k;
                        w[k] = (i < group && r < rows) ? weights[r * filters + f0 + i] : 0;
                    }
                    pairs[8 * c + 2 * i] = tinyml_pack_s16x2(w[0], w[2]);
                    pairs[8 * c + 2 * i + 1] = tinyml_pack_s16x2(w[1], w[3]);
                    sum[i] += w[0] + w[1] + w[2] + w[3];
                }
            }
        }
        int32_t fast = group == 4;
        for (int32_t i = 0; i < 4; i++) {
            /* |z·Σw| ≤ 128·128·rows: within the accumulator bound. */
            base[i] = i < group ? bias[f0 + i] - input_zero_point * sum[i] : 0;
            rq[i] = tinyml_channel_requant_of(i < group ? multiplier[f0 + i] : 0, i < group ? shift[f0 + i] : -1);
            fast &= rq[i].fast;
        }
        /* The steps that read a padded copy: [0, t_first) and [t_end, out_length). */
        for (int32_t t = t_first > 0 ? 0 : t_end; t < out_length; t = t + 1 == t_first ? t_end : t + 1) {
            const int32_t start = t * stride - pad_before;
            int8_t *row = window;
            for (int32_t k = 0; k < kernel; k++, row += in_channels) {
                const int32_t at = start + k;
                if (at >= 0 && at < in_length) {
                    const int8_t *from = input + at * in_channels;
                    for (int32_t c = 0; c < in_channels; c++) {
                        row[c] = from[c];
                    }
                } else {
                    for (int32_t c = 0; c < in_channels; c++) {
                        row[c] = (int8_t)input_zero_point;
                    }
                }
            }
            for (int32_t j = rows; j < span; j++) {
                window[j] = 0;
            }
            tinyml_conv_step(window, chunks, pairs, base, rq, group, 0, simd, output_zero_point, act_min, act_max, output + t * filters + f0);
        }
        const int8_t *x = input + (t_first * stride - pad_before) * in_channels;
        int8_t *out = output + t_first * filters + f0;
        int8_t *const out_end = output + t_end * filters + f0;
        if (fast) {
            for (; out != out_end; out += filters, x += x_step) {
                tinyml_conv_step(x, chunks, pairs, base, rq, 4, 1, simd, output_zero_point, act_min, act_max, out);
            }
        } else {
            for (; out != out_end; out += filters, x += x_step) {
                tinyml_conv_step(x, chunks, pairs, base, rq, group, 0, simd, output_zero_point, act_min, act_max, out);
            }
        }
    }
}
#endif /* TINYML_DSP */

/*
 * The plain conv core (and the DSP build's path for layers too large for the pair buffer): per output step, four
 * filters share each input load; the window's taps inside the input are contiguous and so are their weight rows.
 */
TINYML_INLINE void tinyml_conv_plain(const int8_t *input, int32_t in_length, int32_t in_channels,
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

#endif /* TINYML_KERNEL_INTERNAL_H */
