/*
 * Internals shared by the kernels (not part of the runtime's API): the Cortex-M DSP-extension helpers, the
 * per-channel requantisation constants, the conv1d / pointwise1d cores and the dense / GRU matrix-vector products.
 * Everything here is `static inline` and always inlined, so each kernel stays one self-contained function (the
 * flash-test stage counts instructions per kernel function).
 *
 * Two implementations of every core, chosen at compile time:
 * - TINYML_DSP (ARMv7E-M: Cortex-M4/M7, `__ARM_FEATURE_DSP`): int8 pairs sign-extended with SXTB16 and two MACs per
 *   SMLAD instruction (ACLE intrinsics, arm_acle.h).
 * - the plain C path everywhere else (RV32, Xtensa, the host): register tiles of 32-bit multiply-adds.
 * Both compute exactly the same int32 sums as the TypeScript reference (integer addition is associative; every
 * partial sum stays within the accumulator bound of tinyml_runtime.h, see TINYML_DSP below), so the requantised
 * outputs are bit-identical. Define TINYML_NO_DSP to force the plain path on an ARMv7E-M core, TINYML_PROFILE to
 * keep every helper out of line (for per-helper instruction counts with runOnQemu's countFunctions).
 *
 * The tests: packages/core/src/quantize/c-runtime.test.ts (the plain paths, host gcc with ASan/UBSan) and
 * c-runtime-qemu.test.ts (the DSP paths on QEMU's Cortex-M4 and M7, the plain ones on RV32), both against the
 * TypeScript kernels byte for byte; tools/bench/kernels.ts measures them (npm run bench:kernels).
 */
#ifndef TINYML_KERNEL_INTERNAL_H
#define TINYML_KERNEL_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "tinyml_runtime.h"

#if defined(TINYML_PROFILE)
#define TINYML_INLINE static __attribute__((noinline, noclone, unused))
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

/* A 32-bit pattern as an int32 (no implementation-defined conversion). */
TINYML_INLINE int32_t tinyml_as_s32(uint32_t bits)
{
    int32_t value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* Two bytes from any address as the low half of a word (one LDRH). */
TINYML_INLINE uint32_t tinyml_load_u16(const int8_t *p)
{
    uint16_t half;
    memcpy(&half, p, sizeof half);
    return half;
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

/* a + b saturated to int32 (QADD with the DSP extension). */
TINYML_INLINE int32_t tinyml_add_saturate(int32_t a, int32_t b)
{
#if TINYML_DSP
    return __qadd(a, b);
#else
    return tinyml_saturate_int32((int64_t)a + b);
#endif
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

/* a + bytes 1 and 3 of a word, sign-extended, lane by lane (SXTAB16 with ROR #8; ACLE's __sxtab16 has no rotation). */
TINYML_INLINE int32_t tinyml_sxtab16_ror8(int32_t a, int32_t word)
{
    int32_t pair;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(pair) : "r"(a), "r"(word));
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
 * tinyml_multiply_by_quantized_multiplier(acc, multiplier, shift) for a fast channel, as far as the following clamp
 * can tell:
 *   y = SRDHM(acc, m) = floor((acc·m + 2^30) / 2^31) = floor((acc·2^32 + acc·(2m − 2^32) + 2^31) / 2^32): one SMMLAR
 *       (m ≥ 2^30, so 2m − 2^32 is an int32; the product cannot saturate since m ≠ INT32_MIN),
 *   r = RDBPOT(y, e) = floor((y + 2^(e−1) − [y < 0]) / 2^e), with [y < 0] taken as [acc < 0] (m > 0: the signs
 *       agree whenever y ≠ 0, and for y = 0 both give 0).
 * y + 2^(e−1) − s saturates (QADD) instead of overflowing (never below: y > −2^31, 2^(e−1) − s ≥ 0); it only does
 * when the exact r ≥ 2^(31−e), and then gives 2^(31−e) − 1. Every caller clamps to at most 255 above the zero
 * point, so both clamp alike for e ≤ 23 (c-runtime-qemu.test.ts fails the fast path at e = 24); it takes e ≤ 22.
 */
TINYML_INLINE int32_t tinyml_requantize_clamped_fast(int32_t acc, const tinyml_channel_requant *r)
{
    int32_t multiplier2;
    int32_t half;
    /* One LDRD for both ("Uv": an address whose offset LDRD can encode, as VLDR: a multiple of 4 within ±1020). */
    __asm__("ldrd %0, %1, %2" : "=r"(multiplier2), "=r"(half) : "Uv"(*(const int32_t(*)[2])r));
    int32_t y;
    __asm__("smmlar %0, %1, %2, %1" : "=r"(y) : "r"(acc), "r"(multiplier2));
    const int32_t sum = __qadd(y, half - (int32_t)((uint32_t)acc >> 31));
    return sum >= 0 ? sum >> r->exponent : ~((~sum) >> r->exponent);
}

/* Whether a channel's {multiplier, shift} may take the fast requantisation (the `fast` of tinyml_channel_requant). */
TINYML_INLINE int32_t tinyml_requant_is_fast(int32_t multiplier, int32_t shift)
{
    return multiplier >= (INT32_C(1) << 30) && shift < 0 && shift >= TINYML_FAST_SHIFT_MIN;
}

/*
 * tinyml_requantize_clamped_fast straight from a fast channel's multiplier and shift, for callers that requantise
 * each channel once (dense): 2·multiplier − 2^32 is the multiplier shifted left by one (mod 2^32) and 2^(e−1) one
 * more shift, cheaper than building a tinyml_channel_requant on the stack and loading it back.
 */
TINYML_INLINE int32_t tinyml_requantize_fast_direct(int32_t acc, int32_t multiplier, int32_t shift)
{
    const int32_t exponent = -shift;
    const int32_t multiplier2 = tinyml_as_s32((uint32_t)multiplier << 1);
    int32_t y;
    __asm__("smmlar %0, %1, %2, %1" : "=r"(y) : "r"(acc), "r"(multiplier2));
    const int32_t sum = __qadd(y, tinyml_as_s32(UINT32_C(1) << (exponent - 1)) - (int32_t)((uint32_t)acc >> 31));
    return sum >= 0 ? sum >> exponent : ~((~sum) >> exponent);
}

/*
 * Four requantised values to four int8 outputs with SIMD clamping: saturate to int16 (any bound beyond ±255 gives
 * the same clamp), pack as the pairs (v0, v2) and (v1, v3), clamp both lanes to [low, high] with SSUB16 + SEL, add
 * the zero point, and store the four low bytes with one (unaligned) word store. simd[0], simd[1], simd[2] are the
 * lower and upper bounds (relative to the zero point) and the zero point, each duplicated in both halves.
 */
TINYML_INLINE void tinyml_store4_clamped(int32_t v0, int32_t v1, int32_t v2, int32_t v3, const int32_t *simd, int8_t *out)
{
    /* Loaded here, opaquely, so the compiler does not hold them in registers across the dot product. */
    int32_t low2;
    int32_t high2;
    __asm__("ldrd %0, %1, %2" : "=r"(low2), "=r"(high2) : "Uv"(*(const int32_t(*)[2])simd));
    const int32_t zero2 = simd[2];
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
 * acc[i] += Σ_j (x[j] − z)·w[j·stride + i] for i < 4: the dense / GRU-kernel matrix-vector product over four
 * adjacent columns, weights in place. Per four rows: one input load, two SXTAB16 for the pairs (x0 − z, x2 − z) and
 * (x1 − z, x3 − z) (|x − z| ≤ 255 fits a halfword), the four rows as words, PKHBT / PKHTB and SXTB16 to gather
 * each column's weight pairs, and eight SMLAD. The rows left over go one by one.
 */
TINYML_INLINE void tinyml_matvec4_s8(const int8_t *x, int32_t n, int32_t z, const int8_t *w, int32_t stride, int32_t *acc)
{
    /* −z in both halves: SXTAB16 adds it while it sign-extends (|−z| ≤ 128, |x − z| ≤ 255 fit a halfword). */
    const int32_t minus_zz = tinyml_pack_s16x2(-z, -z);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    int32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const int32_t word = tinyml_load_s32(x + j);
        const int32_t x02 = __sxtab16(minus_zz, word);
        const int32_t x13 = tinyml_sxtab16_ror8(minus_zz, word);
        const int8_t *row = w + j * stride;
        const int32_t w0 = tinyml_load_s32(row);
        const int32_t w2 = tinyml_load_s32(row + 2 * stride);
        const int32_t low02 = tinyml_pkhbt(w0, w2);
        const int32_t high02 = tinyml_pkhtb(w2, w0);
        a0 = __smlad(__sxtb16(low02), x02, a0);
        a1 = __smlad(tinyml_sxtb16_ror8(low02), x02, a1);
        a2 = __smlad(__sxtb16(high02), x02, a2);
        a3 = __smlad(tinyml_sxtb16_ror8(high02), x02, a3);
        const int32_t w1 = tinyml_load_s32(row + stride);
        const int32_t w3 = tinyml_load_s32(row + 3 * stride);
        const int32_t low13 = tinyml_pkhbt(w1, w3);
        const int32_t high13 = tinyml_pkhtb(w3, w1);
        a0 = __smlad(__sxtb16(low13), x13, a0);
        a1 = __smlad(tinyml_sxtb16_ror8(low13), x13, a1);
        a2 = __smlad(__sxtb16(high13), x13, a2);
        a3 = __smlad(tinyml_sxtb16_ror8(high13), x13, a3);
    }
    for (; j < n; j++) {
        const int32_t v = (int32_t)x[j] - z;
        const int8_t *row = w + j * stride;
        a0 += v * row[0];
        a1 += v * row[1];
        a2 += v * row[2];
        a3 += v * row[3];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/*
 * The same over two adjacent columns, the inputs paired instead of the weights: (x0 − z, x1 − z) and (x2 − z, x3 − z)
 * by SXTAB16 and PKHBT / PKHTB, against each column's weights of rows (j, j + 1) as SXTB16 (ROR 8) splits
 * them out of a word holding both rows' two weights — one word load when the columns are the only two (stride 2),
 * two halfword loads otherwise.
 */
TINYML_INLINE void tinyml_matvec2_s8(const int8_t *x, int32_t n, int32_t z, const int8_t *w, int32_t stride, int32_t *acc)
{
    const int32_t minus_zz = tinyml_pack_s16x2(-z, -z);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t j = 0;
    if (stride == 2) {
        for (; j + 4 <= n; j += 4) {
            const int32_t word = tinyml_load_s32(x + j);
            const int32_t x02 = __sxtab16(minus_zz, word);
            const int32_t x13 = tinyml_sxtab16_ror8(minus_zz, word);
            const int32_t x01 = tinyml_pkhbt(x02, x13);
            const int32_t x23 = tinyml_pkhtb(x13, x02);
            const int32_t w01 = tinyml_load_s32(w + 2 * j);
            const int32_t w23 = tinyml_load_s32(w + 2 * j + 4);
            a0 = __smlad(__sxtb16(w01), x01, a0);
            a1 = __smlad(tinyml_sxtb16_ror8(w01), x01, a1);
            a0 = __smlad(__sxtb16(w23), x23, a0);
            a1 = __smlad(tinyml_sxtb16_ror8(w23), x23, a1);
        }
    } else {
        for (; j + 4 <= n; j += 4) {
            const int32_t word = tinyml_load_s32(x + j);
            const int32_t x02 = __sxtab16(minus_zz, word);
            const int32_t x13 = tinyml_sxtab16_ror8(minus_zz, word);
            const int32_t x01 = tinyml_pkhbt(x02, x13);
            const int32_t x23 = tinyml_pkhtb(x13, x02);
            const int8_t *row = w + j * stride;
            const int32_t w01 = tinyml_as_s32(tinyml_load_u16(row) | (tinyml_load_u16(row + stride) << 16));
            const int32_t w23 = tinyml_as_s32(tinyml_load_u16(row + 2 * stride) | (tinyml_load_u16(row + 3 * stride) << 16));
            a0 = __smlad(__sxtb16(w01), x01, a0);
            a1 = __smlad(tinyml_sxtb16_ror8(w01), x01, a1);
            a0 = __smlad(__sxtb16(w23), x23, a0);
            a1 = __smlad(tinyml_sxtb16_ror8(w23), x23, a1);
        }
    }
    for (; j < n; j++) {
        const int32_t v = (int32_t)x[j] - z;
        a0 += v * w[j * stride];
        a1 += v * w[j * stride + 1];
    }
    acc[0] = a0;
    acc[1] = a1;
}

/*
 * acc[i] += Σ_j h[j]·w[j·stride + i] for i < 4 with int16 h (the GRU's recurrent product): (h_j, h_{j+1}) is one
 * word as it is, rows j and j + 1 are paired by PKHBT / PKHTB and SXTB16; four SMLAD per two rows.
 */
TINYML_INLINE void tinyml_matvec4_s16(const int16_t *h, int32_t n, const int8_t *w, int32_t stride, int32_t *acc)
{
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    int32_t j = 0;
    for (; j + 2 <= n; j += 2) {
        int32_t pair;
        memcpy(&pair, h + j, sizeof pair);
        const int8_t *row = w + j * stride;
        const int32_t w0 = tinyml_load_s32(row);
        const int32_t w1 = tinyml_load_s32(row + stride);
        const int32_t low = tinyml_pkhbt(w0, w1);
        const int32_t high = tinyml_pkhtb(w1, w0);
        a0 = __smlad(__sxtb16(low), pair, a0);
        a1 = __smlad(tinyml_sxtb16_ror8(low), pair, a1);
        a2 = __smlad(__sxtb16(high), pair, a2);
        a3 = __smlad(tinyml_sxtb16_ror8(high), pair, a3);
    }
    for (; j < n; j++) {
        const int32_t v = h[j];
        const int8_t *row = w + j * stride;
        a0 += v * row[0];
        a1 += v * row[1];
        a2 += v * row[2];
        a3 += v * row[3];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/*
 * The buffered conv core. Weights of four consecutive filters are re-laid out once per call as int16 pairs — for
 * rows (input values) r = 4c … 4c + 3 of chunk c and filter i: pairs[8c + 2i] = (w[4c][i], w[4c + 2][i]) and
 * pairs[8c + 2i + 1] = (w[4c + 1][i], w[4c + 3][i]) — the order SXTB16 unpacks a word of four inputs in: (x0, x2)
 * and (x1, x3). Then every output step costs, per four rows and four filters, one input load, two SXTB16 (or SXTAB16,
 * which subtracts the input zero point on the way), four LDRD and eight SMLAD. The buffer lives on the kernel's
 * stack: TINYML_PAIR_CHUNKS chunks (rows = kernel · in_channels up to 4 · TINYML_PAIR_CHUNKS), 32 bytes each, plus
 * a 4-byte-per-chunk window for edge steps; larger layers take the tiled core below, in the same buffer.
 */
#ifndef TINYML_PAIR_CHUNKS
#define TINYML_PAIR_CHUNKS 30
#endif

/*
 * acc[i] += Σ_rows (x[r] − z)·pairs(filter i), over chunks ≥ 1 chunks of four rows; x may be unaligned; minus_zz is −z
 * in both halves (|x − z| ≤ 255 fits a halfword), added by SXTAB16 as the inputs are sign-extended. A constant 0
 * (a core that hoists the zero point) takes SXTB16 and leaves the register free.
 */
TINYML_INLINE void tinyml_dot4_pairs(const int8_t *x, int32_t chunks, const int32_t *pairs, int32_t minus_zz, int32_t *acc0, int32_t *acc1,
                                     int32_t *acc2, int32_t *acc3)
{
    int32_t a0 = *acc0;
    int32_t a1 = *acc1;
    int32_t a2 = *acc2;
    int32_t a3 = *acc3;
    /* The buffered core's window (minus_zz a constant 0) indexed from its end by a negative offset: ADDS sets the
     * flags the loop branches on instead of a CMP against an end pointer (GCC then builds the call site with fewer
     * instructions). The tiled core's keeps the walked pointer, which compiles better there. */
    const int8_t *const end = x + 4 * chunks;
    int32_t i = -4 * chunks;
    do {
        int32_t word;
        if (__builtin_constant_p(minus_zz) && minus_zz == 0) {
            word = tinyml_load_s32(end + i);
            i += 4;
        } else {
            word = tinyml_load_s32(x);
            x += 4;
        }
        const int32_t x02 = __builtin_constant_p(minus_zz) && minus_zz == 0 ? __sxtb16(word) : __sxtab16(minus_zz, word);
        const int32_t x13 = __builtin_constant_p(minus_zz) && minus_zz == 0 ? tinyml_sxtb16_ror8(word) : tinyml_sxtab16_ror8(minus_zz, word);
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
    } while (__builtin_constant_p(minus_zz) && minus_zz == 0 ? i != 0 : x != end);
    *acc0 = a0;
    *acc1 = a1;
    *acc2 = a2;
    *acc3 = a3;
}

/*
 * The pair buffer of filters f0 … f0 + group − 1 (zeros for the missing filters of a partial group and for rows
 * past the last, so that whatever the window holds there adds nothing), and when sum is not null (a constant at
 * each call site) each filter's Σ w into sum[].
 */
TINYML_INLINE void tinyml_gather_pairs(const int8_t *weights, int32_t rows, int32_t chunks, int32_t filters, int32_t f0, int32_t group, int32_t *pairs,
                                       int32_t *sum)
{
    if (group == 4) {
        /* Rows r as words of the four filters' weights; PKHBT / PKHTB put rows (0, 2) and (1, 3) of a chunk side by
         * side, SXTB16 (ROR 8) then splits each filter's pair out. Σw by SMLAD against (1, 1). */
        const int32_t ones = 0x00010001;
        int32_t s0 = 0;
        int32_t s1 = 0;
        int32_t s2 = 0;
        int32_t s3 = 0;
        for (int32_t c = 0; c < chunks; c++) {
            const int32_t r = 4 * c;
            const int8_t *w = weights + r * filters + f0;
            const int32_t w0 = tinyml_load_s32(w);
            const int32_t w1 = r + 1 < rows ? tinyml_load_s32(w + filters) : 0;
            const int32_t w2 = r + 2 < rows ? tinyml_load_s32(w + 2 * filters) : 0;
            const int32_t w3 = r + 3 < rows ? tinyml_load_s32(w + 3 * filters) : 0;
            const int32_t low02 = tinyml_pkhbt(w0, w2);
            const int32_t low13 = tinyml_pkhbt(w1, w3);
            const int32_t high02 = tinyml_pkhtb(w2, w0);
            const int32_t high13 = tinyml_pkhtb(w3, w1);
            int32_t *p = &pairs[8 * c];
            p[0] = __sxtb16(low02);
            p[1] = __sxtb16(low13);
            p[2] = tinyml_sxtb16_ror8(low02);
            p[3] = tinyml_sxtb16_ror8(low13);
            p[4] = __sxtb16(high02);
            p[5] = __sxtb16(high13);
            p[6] = tinyml_sxtb16_ror8(high02);
            p[7] = tinyml_sxtb16_ror8(high13);
            if (sum) {
                s0 = __smlad(p[0], ones, __smlad(p[1], ones, s0));
                s1 = __smlad(p[2], ones, __smlad(p[3], ones, s1));
                s2 = __smlad(p[4], ones, __smlad(p[5], ones, s2));
                s3 = __smlad(p[6], ones, __smlad(p[7], ones, s3));
            }
        }
        if (sum) {
            sum[0] = s0;
            sum[1] = s1;
            sum[2] = s2;
            sum[3] = s3;
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
                if (sum) {
                    sum[i] += w[0] + w[1] + w[2] + w[3];
                }
            }
        }
    }
}

/*
 * One output step of a filter group: the accumulators from `base` (bias − z·Σw, or partial sums), the pair dot
 * product over the window x (minus_zz as in tinyml_dot4_pairs), and the group's outputs requantised. `fast` (a
 * constant at each call site): a full group whose four channels take the one-rounding requantisation and the SIMD
 * clamp; otherwise each output goes through tinyml_requantize_s8.
 */
TINYML_INLINE void tinyml_conv_step(const int8_t *x, int32_t chunks, const int32_t *pairs, int32_t minus_zz, const int32_t *base,
                                    const tinyml_channel_requant *rq, int32_t group, int32_t fast, const int32_t *simd,
                                    int32_t output_zero_point, int32_t act_min, int32_t act_max, int8_t *out)
{
    int32_t acc0 = base[0];
    int32_t acc1 = base[1];
    int32_t acc2 = base[2];
    int32_t acc3 = base[3];
    tinyml_dot4_pairs(x, chunks, pairs, minus_zz, &acc0, &acc1, &acc2, &acc3);
    if (fast) {
        tinyml_store4_clamped(tinyml_requantize_clamped_fast(acc0, &rq[0]), tinyml_requantize_clamped_fast(acc1, &rq[1]),
                              tinyml_requantize_clamped_fast(acc2, &rq[2]), tinyml_requantize_clamped_fast(acc3, &rq[3]), simd, out);
    } else {
        const int32_t acc[4] = {acc0, acc1, acc2, acc3};
        for (int32_t i = 0; i < group; i++) {
            out[i] = tinyml_requantize_s8(acc[i], rq[i].multiplier, rq[i].shift, output_zero_point, act_min, act_max);
        }
    }
}

/* The clamp bounds relative to the zero point, and the zero point, in both int16 halves (tinyml_store4_clamped). */
TINYML_INLINE void tinyml_clamp_simd(int32_t output_zero_point, int32_t act_min, int32_t act_max, int32_t *simd)
{
    simd[0] = tinyml_pack_s16x2(act_min - output_zero_point, act_min - output_zero_point);
    simd[1] = tinyml_pack_s16x2(act_max - output_zero_point, act_max - output_zero_point);
    simd[2] = tinyml_pack_s16x2(output_zero_point, output_zero_point);
}

/*
 * The steps [*t_first, *t_end) that read the input in place: start = t·stride − pad_before ≥ 0 and start·in_channels
 * + span ≤ input_bytes (the window and the last chunk's over-read inside the input); the others read a padded copy.
 */
TINYML_INLINE void tinyml_in_place_steps(int32_t in_length, int32_t in_channels, int32_t span, int32_t stride, int32_t pad_before, int32_t out_length,
                                         int32_t *t_first, int32_t *t_end)
{
    const int32_t input_bytes = in_length * in_channels;
    int32_t first = (pad_before + stride - 1) / stride;
    int32_t end = input_bytes >= span ? ((input_bytes - span) / in_channels + pad_before) / stride + 1 : 0;
    first = first < out_length ? first : out_length;
    end = end < out_length ? end : out_length;
    *t_first = first;
    *t_end = end > first ? end : first;
}

/*
 * The steps that read the input in place (tinyml_in_place_steps) for a layer of `rows` rows. The pair cores pay for
 * re-laying out the weights once per filter group (about two steps' worth of SMLAD work) and handle the other steps
 * less well; below TINYML_MIN_PAIR_STEPS in-place steps (short inputs, e.g. a few steps under `same` padding) the
 * unbuffered core, which skips padded taps, needs fewer instructions.
 */
#ifndef TINYML_MIN_PAIR_STEPS
#define TINYML_MIN_PAIR_STEPS 4
#endif
TINYML_INLINE int32_t tinyml_pair_steps(int32_t in_length, int32_t in_channels, int32_t rows, int32_t stride, int32_t pad_before, int32_t out_length)
{
    int32_t t_first;
    int32_t t_end;
    tinyml_in_place_steps(in_length, in_channels, 4 * ((rows + 3) / 4), stride, pad_before, out_length, &t_first, &t_end);
    return t_end - t_first;
}

/* Four bytes to any address (one STR on Cortex-M, which allows unaligned STR; not STRD/STM). */
TINYML_INLINE void tinyml_store_s32(int8_t *p, int32_t word)
{
    memcpy(p, &word, sizeof word);
}

/*
 * `count` window bytes (rows) from input byte `origin` on, as the pair cores read them: rows whose input byte lies
 * outside [0, input_bytes) are padded taps and take the zero point (a tap's rows are all inside or all outside),
 * bytes from `count` to `span` (a multiple of 4, count ≤ span < count + 4) are zeros. Word at a time (unaligned LDR
 * / STR), several times fewer instructions than byte loops or library calls for these short runs: the padded head
 * and tail are filled with the zero point in whole words (rounding over the rows in between, which the copy then
 * overwrites; the last word with zeros from `count` on), then the rows inside the input, contiguous there, are
 * copied by words, the last word overlapping the one before so nothing past them is read or written.
 */
TINYML_INLINE void tinyml_copy_window(const int8_t *input, int32_t input_bytes, int32_t input_zero_point, int32_t origin, int32_t count, int32_t span,
                                      int8_t *window)
{
    const int32_t head = origin >= 0 ? 0 : (-origin < count ? -origin : count);
    const int32_t end = input_bytes - origin < count ? input_bytes - origin : count;
    const int32_t n = end > head ? end - head : 0;
    const int32_t zzzz = tinyml_as_s32(((uint32_t)input_zero_point & 0xFFu) * UINT32_C(0x01010101));
    for (int32_t i = 0; i < head; i += 4) {
        tinyml_store_s32(window + i, zzzz);
    }
    for (int32_t i = (head + n) & ~INT32_C(3); i < span; i += 4) {
        /* Bytes at count and beyond (only in the last word) are zero. */
        const int32_t past = i + 4 - count;
        tinyml_store_s32(window + i, past > 0 ? tinyml_as_s32((uint32_t)zzzz >> (8 * past)) : zzzz);
    }
    if (n == 0) {
        return;
    }
    const int8_t *from = input + (origin + head);
    int8_t *to = window + head;
    if (n >= 4) {
        for (int32_t i = 0; i < n - 4; i += 4) {
            int32_t word = tinyml_load_s32(from + i);
            /* Opaque to the optimiser, so that it does not turn the loop back into a memcpy call. */
            __asm__("" : "+r"(word));
            tinyml_store_s32(to + i, word);
        }
        tinyml_store_s32(to + n - 4, tinyml_load_s32(from + n - 4));
    } else {
        for (int32_t i = 0; i < n; i++) {
            to[i] = from[i];
        }
    }
}

/*
 * conv1d over `rows` = kernel · in_channels ≤ 4 · TINYML_PAIR_CHUNKS with the pair buffer (pointwise1d is kernel 1).
 * The input zero point is hoisted: Σ (x − z)·w = Σ x·w − z·Σ w, with Σ w per filter taken while re-laying out the
 * weights (SXTAB16 would subtract it for free, but holding −z in a register through the step loop costs more spills
 * per step than Σ w costs per filter group on the shipped layers). Steps whose window lies inside the input,
 * together with the up to three bytes the last chunk over-reads, read it in place: t in [t_first, t_end). The other
 * steps (`same` padding at either edge, the end of the input) read a copy (tinyml_copy_window) with the zero point
 * in the padded taps ((z − z)·w = 0, the same as skipping them) and zeros past the last row, whose weights are zero.
 */
TINYML_INLINE void tinyml_conv_buffered(const int8_t *input, int32_t in_length, int32_t in_channels,
                                        const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                        int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                        int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                                        int8_t *output, int32_t *pairs, int8_t *window)
{
    const int32_t rows = kernel * in_channels;
    const int32_t chunks = (rows + 3) / 4;
    const int32_t span = 4 * chunks;
    int32_t simd[3];
    tinyml_clamp_simd(output_zero_point, act_min, act_max, simd);
    int32_t t_first;
    int32_t t_end;
    tinyml_in_place_steps(in_length, in_channels, span, stride, pad_before, out_length, &t_first, &t_end);
    for (int32_t f0 = 0; f0 < filters; f0 += 4) {
        const int32_t group = filters - f0 < 4 ? filters - f0 : 4;
        int32_t base[4];
        tinyml_channel_requant rq[4];
        int32_t sum[4] = {0, 0, 0, 0};
        tinyml_gather_pairs(weights, rows, chunks, filters, f0, group, pairs, sum);
        int32_t fast = group == 4;
        for (int32_t i = 0; i < 4; i++) {
            /* |z·Σw| ≤ 128·128·rows: within the accumulator bound. */
            base[i] = i < group ? bias[f0 + i] - input_zero_point * sum[i] : 0;
            rq[i] = tinyml_channel_requant_of(i < group ? multiplier[f0 + i] : 0, i < group ? shift[f0 + i] : -1);
            fast &= rq[i].fast;
        }
        /* The steps that read a padded copy: [0, t_first) and [t_end, out_length). */
        for (int32_t t = t_first > 0 ? 0 : t_end; t < out_length; t = t + 1 == t_first ? t_end : t + 1) {
            tinyml_copy_window(input, in_length * in_channels, input_zero_point, (t * stride - pad_before) * in_channels, rows, span, window);
            if (fast) {
                tinyml_conv_step(window, chunks, pairs, 0, base, rq, 4, 1, simd, output_zero_point, act_min, act_max, output + t * filters + f0);
            } else {
                tinyml_conv_step(window, chunks, pairs, 0, base, rq, group, 0, simd, output_zero_point, act_min, act_max, output + t * filters + f0);
            }
        }
        /* Offsets rather than walked pointers, so that no pointer is formed past its array. */
        const int32_t x_step = stride * in_channels;
        int32_t x_at = (t_first * stride - pad_before) * in_channels;
        int32_t out_at = t_first * filters + f0;
        const int32_t out_end = t_end * filters + f0;
        if (fast) {
            for (; out_at != out_end; out_at += filters, x_at += x_step) {
                tinyml_conv_step(input + x_at, chunks, pairs, 0, base, rq, 4, 1, simd, output_zero_point, act_min, act_max, output + out_at);
            }
        } else {
            for (; out_at != out_end; out_at += filters, x_at += x_step) {
                tinyml_conv_step(input + x_at, chunks, pairs, 0, base, rq, group, 0, simd, output_zero_point, act_min, act_max, output + out_at);
            }
        }
    }
}

/*
 * The tiled conv core: layers whose rows (kernel · in_channels) exceed the pair buffer even for two filters, e.g.
 * conv 64→32 k5 (320 rows), pointwise layers past four filters' buffer, and layers of the paired core's size with
 * at most TINYML_TILE_STEPS steps (conv1d.c). The reduction is cut into `tiles` equal tiles of at most TINYML_TILE_CHUNKS chunks, and the steps into
 * blocks of TINYML_TILE_STEPS: per filter group and block, each tile's pairs are gathered once and applied to every
 * step of the block, the partial sums of the block's steps waiting in the rest of the pair buffer (so the kernel's
 * stack does not grow) until the last tile requantises them. Re-gathering per block costs about two instructions per 16 MACs and step — far less than the
 * unbuffered path's per-MAC weight unpacking. The input zero point is subtracted as the inputs are unpacked
 * (SXTAB16: no Σ w per tile), so every partial sum is bias + Σ (x − z)·w over some taps (within the accumulator bound,
 * see above). Steps with padded taps read a copy of the tile's rows, the zero point in the padded taps.
 */
#ifndef TINYML_TILE_STEPS
#define TINYML_TILE_STEPS 16
#endif
/* Chunks per tile: what the pair buffer holds besides the partial sums. */
#define TINYML_TILE_CHUNKS (TINYML_PAIR_CHUNKS - TINYML_TILE_STEPS / 2)
#if TINYML_TILE_STEPS % 2 != 0 || TINYML_TILE_CHUNKS < 1
#error "TINYML_TILE_STEPS must be even and below 2 · TINYML_PAIR_CHUNKS"
#endif

TINYML_INLINE void tinyml_conv_tiled(const int8_t *input, int32_t in_length, int32_t in_channels,
                                     const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                     int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                     int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                                     int8_t *output, int32_t *pairs, int8_t *window)
{
    /* The block's partial sums take the pair buffer's last TINYML_TILE_STEPS / 2 chunks (4 words per step). */
    int32_t *const partial = pairs + 8 * TINYML_TILE_CHUNKS;
    const int32_t rows = kernel * in_channels;
    const int32_t chunks = (rows + 3) / 4;
    const int32_t tiles = (chunks + TINYML_TILE_CHUNKS - 1) / TINYML_TILE_CHUNKS;
    const int32_t tile_chunks = (chunks + tiles - 1) / tiles;
    const int32_t span = 4 * chunks;
    const int32_t minus_zz = tinyml_pack_s16x2(-input_zero_point, -input_zero_point);
    int32_t simd[3];
    tinyml_clamp_simd(output_zero_point, act_min, act_max, simd);
    int32_t t_first;
    int32_t t_end;
    tinyml_in_place_steps(in_length, in_channels, span, stride, pad_before, out_length, &t_first, &t_end);
    for (int32_t f0 = 0; f0 < filters; f0 += 4) {
        const int32_t group = filters - f0 < 4 ? filters - f0 : 4;
        tinyml_channel_requant rq[4];
        int32_t base[4];
        int32_t fast = group == 4;
        for (int32_t i = 0; i < 4; i++) {
            base[i] = i < group ? bias[f0 + i] : 0;
            rq[i] = tinyml_channel_requant_of(i < group ? multiplier[f0 + i] : 0, i < group ? shift[f0 + i] : -1);
            fast &= rq[i].fast;
        }
        for (int32_t t0 = 0; t0 < out_length; t0 += TINYML_TILE_STEPS) {
            const int32_t t1 = out_length - t0 < TINYML_TILE_STEPS ? out_length : t0 + TINYML_TILE_STEPS;
            for (int32_t tile = 0; tile < tiles; tile++) {
                const int32_t r0 = 4 * tile * tile_chunks;
                const int32_t tile_chunk_count = chunks - tile * tile_chunks < tile_chunks ? chunks - tile * tile_chunks : tile_chunks;
                const int32_t tile_rows = rows - r0 < 4 * tile_chunk_count ? rows - r0 : 4 * tile_chunk_count;
                const int32_t last = tile == tiles - 1;
                tinyml_gather_pairs(weights + r0 * filters, tile_rows, tile_chunk_count, filters, f0, group, pairs, NULL);
                for (int32_t t = t0; t < t1; t++) {
                    const int32_t start = t * stride - pad_before;
                    const int8_t *x = window;
                    if (t >= t_first && t < t_end) {
                        x = input + start * in_channels + r0;
                    } else {
                        /* Rows [r0, r0 + tile_rows) of the step's window. */
                        tinyml_copy_window(input, in_length * in_channels, input_zero_point, start * in_channels + r0, tile_rows, 4 * tile_chunk_count,
                                           window);
                    }
                    int32_t *p = &partial[4 * (t - t0)];
                    /* The first tile starts from the biases, the others from the partial sums. */
                    const int32_t *from = tile == 0 ? base : p;
                    int32_t acc[4] = {from[0], from[1], from[2], from[3]};
                    if (!last) {
                        tinyml_dot4_pairs(x, tile_chunk_count, pairs, minus_zz, &acc[0], &acc[1], &acc[2], &acc[3]);
                        p[0] = acc[0];
                        p[1] = acc[1];
                        p[2] = acc[2];
                        p[3] = acc[3];
                    } else if (fast) {
                        tinyml_conv_step(x, tile_chunk_count, pairs, minus_zz, acc, rq, 4, 1, simd, output_zero_point, act_min, act_max, output + t * filters + f0);
                    } else {
                        tinyml_conv_step(x, tile_chunk_count, pairs, minus_zz, acc, rq, group, 0, simd, output_zero_point, act_min, act_max, output + t * filters + f0);
                    }
                }
            }
        }
    }
}

/*
 * The paired conv core: layers whose rows (kernel · in_channels) exceed what the pair buffer holds for four filters
 * but not for two (4 · TINYML_PAIR_CHUNKS < rows ≤ 8 · TINYML_PAIR_CHUNKS, e.g. conv 64→64 k3: 192 rows), over more
 * than TINYML_TILE_STEPS steps (shorter ones take the tiled core, conv1d.c). Two
 * filters' pairs, for all rows, are gathered once per filter pair — pairs2[4c + 2i] = (w[4c][i], w[4c + 2][i]),
 * pairs2[4c + 2i + 1] = (w[4c + 1][i], w[4c + 3][i]) — and applied to two output steps at a time: per four rows
 * two input loads, four SXTB16, two LDRD and eight SMLAD (a register tile of 2 filters × 2 steps, which fits the
 * core's registers; 4 × 2 does not). No partial sums: every sum is whole when requantised. Steps whose window
 * leaves the input ([0, t_first) and [t_end, out_length), `same` padding) run the unbuffered step on all filters
 * at once, their padded taps skipped.
 */

/*
 * acc[0..1] += Σ x_a·pairs2 (filters 0, 1 at step a), acc[2..3] += Σ x_b·pairs2 (step b) over `chunks` ≥ 1 chunks;
 * x_b = x_a + step_bytes, both may be unaligned. Per chunk two input loads, four SXTB16, two post-indexed LDRD,
 * eight SMLAD and the loop's ADDS / BNE: both windows are indexed from their ends by one negative offset, which
 * counts up to zero and sets the flags (no CMP, no end pointer). The loop needs 14 registers (4 accumulators, 2
 * window ends, the offset, the pairs pointer, 6 temporaries: every allocatable one), so it is one asm block: in C,
 * GCC compiled it with a CMP and, depending on the code around the inlined core, a stack load per chunk.
 */
TINYML_INLINE void tinyml_dot2x2_pairs(const int8_t *x, int32_t step_bytes, int32_t chunks, const int32_t *pairs, int32_t *acc)
{
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t b0 = acc[2];
    int32_t b1 = acc[3];
    const int8_t *const end_a = x + 4 * chunks;
    const int8_t *const end_b = end_a + step_bytes;
    int32_t i = -4 * chunks;
    int32_t word_a;
    int32_t word_b;
    int32_t a02;
    int32_t b02;
    int32_t p;
    int32_t q;
    /* word_a / word_b become the (x1, x3) pairs once the (x0, x2) pairs are out. Reads the windows and the pairs
     * ("memory"), writes only its operands. */
    __asm__("1:\n\t"
            "ldr %[wa], [%[ea], %[i]]\n\t"
            "ldr %[wb], [%[eb], %[i]]\n\t"
            "ldrd %[p], %[q], [%[pairs]], #8\n\t"
            "sxtb16 %[a02], %[wa]\n\t"
            "sxtb16 %[b02], %[wb]\n\t"
            "sxtb16 %[wa], %[wa], ror #8\n\t"
            "sxtb16 %[wb], %[wb], ror #8\n\t"
            "smlad %[a0], %[p], %[a02], %[a0]\n\t"
            "smlad %[b0], %[p], %[b02], %[b0]\n\t"
            "smlad %[a0], %[q], %[wa], %[a0]\n\t"
            "smlad %[b0], %[q], %[wb], %[b0]\n\t"
            "ldrd %[p], %[q], [%[pairs]], #8\n\t"
            "smlad %[a1], %[p], %[a02], %[a1]\n\t"
            "smlad %[b1], %[p], %[b02], %[b1]\n\t"
            "smlad %[a1], %[q], %[wa], %[a1]\n\t"
            "adds %[i], %[i], #4\n\t"
            "smlad %[b1], %[q], %[wb], %[b1]\n\t"
            "bne 1b"
            : [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [i] "+r"(i), [pairs] "+r"(pairs), [wa] "=&r"(word_a), [wb] "=&r"(word_b),
              [a02] "=&r"(a02), [b02] "=&r"(b02), [p] "=&r"(p), [q] "=&r"(q)
            : [ea] "r"(end_a), [eb] "r"(end_b)
            : "cc", "memory");
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = b0;
    acc[3] = b1;
}

/* Two requantised values (fast channels) to two adjacent int8 outputs: SSAT, PKHBT and the SIMD clamp of
 * tinyml_store4_clamped, the two low bytes stored as one halfword. */
TINYML_INLINE void tinyml_store2_clamped(int32_t v0, int32_t v1, const int32_t *simd, int8_t *out)
{
    int32_t low2;
    int32_t high2;
    __asm__("ldrd %0, %1, %2" : "=r"(low2), "=r"(high2) : "Uv"(*(const int32_t(*)[2])simd));
    int32_t p = tinyml_pkhbt(tinyml_ssat16(v0), tinyml_ssat16(v1));
    (void)__ssub16(p, low2);
    p = (int32_t)__sel((uint32_t)p, (uint32_t)low2);
    (void)__ssub16(p, high2);
    p = (int32_t)__sel((uint32_t)high2, (uint32_t)p);
    const uint32_t lanes = __uxtb16((uint32_t)__sadd16(p, simd[2]));
    const uint16_t bytes = (uint16_t)(lanes | (lanes >> 8));
    memcpy(out, &bytes, sizeof bytes);
}

/* The pairs of filters f0, f0 + 1 (zeros for a missing second filter and rows past the last) and Σ w of each. */
TINYML_INLINE void tinyml_gather_pairs2(const int8_t *weights, int32_t rows, int32_t chunks, int32_t filters, int32_t f0, int32_t group, int32_t *pairs,
                                        int32_t *sum)
{
    const int32_t ones = 0x00010001;
    int32_t s0 = 0;
    int32_t s1 = 0;
    if (group == 2) {
        /* Rows r as halfwords of the two filters' weights; rows (0, 2) and (1, 3) of a chunk in one word each, SXTB16
         * (ROR 8) splits each filter's pair out. */
        const int32_t whole = rows / 4;
        for (int32_t c = 0; c < chunks; c++) {
            const int8_t *w = weights + 4 * c * filters + f0;
            uint32_t h0 = tinyml_load_u16(w);
            uint32_t h1 = 0;
            uint32_t h2 = 0;
            uint32_t h3 = 0;
            if (c < whole) {
                h1 = tinyml_load_u16(w + filters);
                h2 = tinyml_load_u16(w + 2 * filters);
                h3 = tinyml_load_u16(w + 3 * filters);
            } else {
                h1 = 4 * c + 1 < rows ? tinyml_load_u16(w + filters) : 0;
                h2 = 4 * c + 2 < rows ? tinyml_load_u16(w + 2 * filters) : 0;
            }
            const int32_t w02 = tinyml_as_s32(h0 | (h2 << 16));
            const int32_t w13 = tinyml_as_s32(h1 | (h3 << 16));
            int32_t *p = &pairs[4 * c];
            p[0] = __sxtb16(w02);
            p[1] = __sxtb16(w13);
            p[2] = tinyml_sxtb16_ror8(w02);
            p[3] = tinyml_sxtb16_ror8(w13);
            s0 = __smlad(p[0], ones, __smlad(p[1], ones, s0));
            s1 = __smlad(p[2], ones, __smlad(p[3], ones, s1));
        }
    } else {
        for (int32_t c = 0; c < chunks; c++) {
            int32_t w[4];
            for (int32_t k = 0; k < 4; k++) {
                const int32_t r = 4 * c + k;
                w[k] = r < rows ? weights[r * filters + f0] : 0;
            }
            pairs[4 * c] = tinyml_pack_s16x2(w[0], w[2]);
            pairs[4 * c + 1] = tinyml_pack_s16x2(w[1], w[3]);
            pairs[4 * c + 2] = 0;
            pairs[4 * c + 3] = 0;
            s0 += w[0] + w[1] + w[2] + w[3];
        }
    }
    sum[0] = s0;
    sum[1] = s1;
}
#endif /* TINYML_DSP */

/*
 * One output step of the unbuffered conv core over filters [f_begin, filters): `taps` contiguous input values x
 * and their weight rows from w_row0 on. Four filters at a time share each input load (with the DSP extension
 * through tinyml_matvec4_s8's SMLAD); the filters left over one by one.
 */
TINYML_INLINE void tinyml_conv_plain_step(const int8_t *x, int32_t taps, const int8_t *weights, int32_t w_row0, const int32_t *bias,
                                          const int32_t *multiplier, const int32_t *shift, int32_t input_zero_point, int32_t output_zero_point,
                                          int32_t act_min, int32_t act_max, int32_t f_begin, int32_t filters, int8_t *out)
{
    int32_t f = f_begin;
    for (; f + 4 <= filters; f += 4) {
#if TINYML_DSP
        int32_t acc[4] = {bias[f], bias[f + 1], bias[f + 2], bias[f + 3]};
        tinyml_matvec4_s8(x, taps, input_zero_point, weights + w_row0 + f, filters, acc);
        const int32_t acc0 = acc[0];
        const int32_t acc1 = acc[1];
        const int32_t acc2 = acc[2];
        const int32_t acc3 = acc[3];
#else
        int32_t acc0 = bias[f];
        int32_t acc1 = bias[f + 1];
        int32_t acc2 = bias[f + 2];
        int32_t acc3 = bias[f + 3];
        for (int32_t j = 0, w = w_row0 + f; j < taps; j++, w += filters) {
            const int32_t v = (int32_t)x[j] - input_zero_point;
            acc0 += v * weights[w];
            acc1 += v * weights[w + 1];
            acc2 += v * weights[w + 2];
            acc3 += v * weights[w + 3];
        }
#endif
        out[f] = tinyml_requantize_s8(acc0, multiplier[f], shift[f], output_zero_point, act_min, act_max);
        out[f + 1] = tinyml_requantize_s8(acc1, multiplier[f + 1], shift[f + 1], output_zero_point, act_min, act_max);
        out[f + 2] = tinyml_requantize_s8(acc2, multiplier[f + 2], shift[f + 2], output_zero_point, act_min, act_max);
        out[f + 3] = tinyml_requantize_s8(acc3, multiplier[f + 3], shift[f + 3], output_zero_point, act_min, act_max);
    }
    for (; f < filters; f++) {
        int32_t acc = bias[f];
        for (int32_t j = 0, w = w_row0 + f; j < taps; j++, w += filters) {
            acc += ((int32_t)x[j] - input_zero_point) * weights[w];
        }
        out[f] = tinyml_requantize_s8(acc, multiplier[f], shift[f], output_zero_point, act_min, act_max);
    }
}

/*
 * The unbuffered conv core: the plain build's (RV32, Xtensa, the host) and, with the DSP extension, the one for
 * layers too large for the pair buffer. The window of step t covers the kernel's taps [first, last) inside the
 * input; their input values are contiguous (taps·in_channels of them) and so are their weight rows, so one loop
 * walks both. In the plain build, two consecutive steps whose windows are both whole share every weight load: a
 * register tile of two steps × four filters (eight accumulators; RV32 has the registers).
 */
TINYML_INLINE void tinyml_conv_plain(const int8_t *input, int32_t in_length, int32_t in_channels,
                                     const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                     int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                     int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                                     int8_t *output)
{
    const int32_t z = input_zero_point;
    for (int32_t t = 0; t < out_length;) {
        const int32_t start = t * stride - pad_before;
        const int32_t first = start < 0 ? -start : 0;
        const int32_t last = in_length - start < kernel ? in_length - start : kernel;
        const int32_t taps = last > first ? (last - first) * in_channels : 0;
        const int8_t *x = taps > 0 ? input + (start + first) * in_channels : input;
        int8_t *out = output + t * filters;
#if !TINYML_DSP
        if (first == 0 && t + 1 < out_length && start + stride + kernel <= in_length && taps > 0) {
            /* Steps t and t + 1, both windows whole. */
            const int8_t *x1 = x + stride * in_channels;
            int8_t *out1 = out + filters;
            int32_t f = 0;
            for (; f + 4 <= filters; f += 4) {
                int32_t a0 = bias[f];
                int32_t a1 = bias[f + 1];
                int32_t a2 = bias[f + 2];
                int32_t a3 = bias[f + 3];
                int32_t b0 = a0;
                int32_t b1 = a1;
                int32_t b2 = a2;
                int32_t b3 = a3;
                for (int32_t j = 0, w = f; j < taps; j++, w += filters) {
                    const int32_t v = (int32_t)x[j] - z;
                    const int32_t u = (int32_t)x1[j] - z;
                    const int32_t w0 = weights[w];
                    const int32_t w1 = weights[w + 1];
                    const int32_t w2 = weights[w + 2];
                    const int32_t w3 = weights[w + 3];
                    a0 += v * w0;
                    a1 += v * w1;
                    a2 += v * w2;
                    a3 += v * w3;
                    b0 += u * w0;
                    b1 += u * w1;
                    b2 += u * w2;
                    b3 += u * w3;
                }
                out[f] = tinyml_requantize_s8(a0, multiplier[f], shift[f], output_zero_point, act_min, act_max);
                out[f + 1] = tinyml_requantize_s8(a1, multiplier[f + 1], shift[f + 1], output_zero_point, act_min, act_max);
                out[f + 2] = tinyml_requantize_s8(a2, multiplier[f + 2], shift[f + 2], output_zero_point, act_min, act_max);
                out[f + 3] = tinyml_requantize_s8(a3, multiplier[f + 3], shift[f + 3], output_zero_point, act_min, act_max);
                out1[f] = tinyml_requantize_s8(b0, multiplier[f], shift[f], output_zero_point, act_min, act_max);
                out1[f + 1] = tinyml_requantize_s8(b1, multiplier[f + 1], shift[f + 1], output_zero_point, act_min, act_max);
                out1[f + 2] = tinyml_requantize_s8(b2, multiplier[f + 2], shift[f + 2], output_zero_point, act_min, act_max);
                out1[f + 3] = tinyml_requantize_s8(b3, multiplier[f + 3], shift[f + 3], output_zero_point, act_min, act_max);
            }
            tinyml_conv_plain_step(x, taps, weights, 0, bias, multiplier, shift, z, output_zero_point, act_min, act_max, f, filters, out);
            tinyml_conv_plain_step(x1, taps, weights, 0, bias, multiplier, shift, z, output_zero_point, act_min, act_max, f, filters, out1);
            t += 2;
            continue;
        }
#endif
        tinyml_conv_plain_step(x, taps, weights, first * in_channels * filters, bias, multiplier, shift, z, output_zero_point, act_min, act_max, 0,
                               filters, out);
        t += 1;
    }
}

#if TINYML_DSP
/* The paired core (above): edge steps through tinyml_conv_plain_step, the others as 2 filters × 2 steps tiles. */
TINYML_INLINE void tinyml_conv_paired(const int8_t *input, int32_t in_length, int32_t in_channels,
                                      const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                      int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                                      int32_t kernel, int32_t stride, int32_t pad_before, int32_t filters, int32_t out_length,
                                      int8_t *output, int32_t *pairs)
{
    const int32_t rows = kernel * in_channels;
    const int32_t chunks = (rows + 3) / 4;
    int32_t simd[3];
    tinyml_clamp_simd(output_zero_point, act_min, act_max, simd);
    int32_t t_first;
    int32_t t_end;
    tinyml_in_place_steps(in_length, in_channels, 4 * chunks, stride, pad_before, out_length, &t_first, &t_end);
    for (int32_t t = t_first > 0 ? 0 : t_end; t < out_length; t = t + 1 == t_first ? t_end : t + 1) {
        const int32_t start = t * stride - pad_before;
        const int32_t first = start < 0 ? -start : 0;
        const int32_t last = in_length - start < kernel ? in_length - start : kernel;
        const int32_t taps = last > first ? (last - first) * in_channels : 0;
        const int8_t *x = taps > 0 ? input + (start + first) * in_channels : input;
        tinyml_conv_plain_step(x, taps, weights, first * in_channels * filters, bias, multiplier, shift, input_zero_point, output_zero_point, act_min,
                               act_max, 0, filters, output + t * filters);
    }
    const int32_t x_step = stride * in_channels;
    for (int32_t f0 = 0; f0 < filters; f0 += 2) {
        const int32_t group = filters - f0 < 2 ? 1 : 2;
        int32_t sum[2];
        tinyml_gather_pairs2(weights, rows, chunks, filters, f0, group, pairs, sum);
        tinyml_channel_requant rq[2];
        rq[0] = tinyml_channel_requant_of(multiplier[f0], shift[f0]);
        rq[1] = tinyml_channel_requant_of(group == 2 ? multiplier[f0 + 1] : 0, group == 2 ? shift[f0 + 1] : -1);
        const int32_t fast = group == 2 && rq[0].fast && rq[1].fast;
        /* |z·Σw| ≤ 128·128·rows: within the accumulator bound. */
        const int32_t base0 = bias[f0] - input_zero_point * sum[0];
        const int32_t base1 = group == 2 ? bias[f0 + 1] - input_zero_point * sum[1] : 0;
        /* Offsets rather than walked pointers, so that no pointer is formed past its array. */
        int32_t x_at = (t_first * stride - pad_before) * in_channels;
        for (int32_t t = t_first; t < t_end; t += 2, x_at += 2 * x_step) {
            /* A last single step pairs with itself. */
            const int32_t both = t + 1 < t_end;
            int32_t acc[4] = {base0, base1, base0, base1};
            tinyml_dot2x2_pairs(input + x_at, both ? x_step : 0, chunks, pairs, acc);
            int8_t *out = output + t * filters + f0;
            if (fast) {
                tinyml_store2_clamped(tinyml_requantize_clamped_fast(acc[0], &rq[0]), tinyml_requantize_clamped_fast(acc[1], &rq[1]), simd, out);
                if (both) {
                    tinyml_store2_clamped(tinyml_requantize_clamped_fast(acc[2], &rq[0]), tinyml_requantize_clamped_fast(acc[3], &rq[1]), simd,
                                          out + filters);
                }
            } else {
                for (int32_t j = 0; j < (both ? 2 : 1); j++) {
                    for (int32_t i = 0; i < group; i++) {
                        out[j * filters + i] =
                            tinyml_requantize_s8(acc[2 * j + i], multiplier[f0 + i], shift[f0 + i], output_zero_point, act_min, act_max);
                    }
                }
            }
        }
    }
}
#endif /* TINYML_DSP */

#endif /* TINYML_KERNEL_INTERNAL_H */
