/*
 * nx-tinyml runtime: the int8 kernels, requantisation, fixed-point activations and evidential uncertainty the
 * generated model code calls. Every function computes exactly what its TypeScript twin in
 * packages/core/src/quantize/ computes (the reference interpreter); packages/core/src/quantize/c-runtime.test.ts
 * checks them byte for byte, under ASan and UBSan. The prototypes are generated from the interface table
 * packages/core/src/quantize/c-kernel-abi.ts, which the model emitter and the tests also build their calls from.
 *
 * Conventions:
 * - Tensors are row-major [time][channels] int8; weights are in the model/params.ts layout, exactly as the flash blob
 *   (packages/core/src/quantize/flash-blob.ts, model/memory.ts) stores them, so the generated code passes blob
 *   pointers straight through.
 * - "requant" arguments are the op header of the blob {input_zero_point, output_zero_point, act_min, act_max} and the
 *   per-output-channel multiplier[] / shift[] arrays (scale = multiplier · 2^(shift − 31)).
 * - Accumulators are int32: the quantiser guarantees |bias| + taps·255·128 ≤ INT32_MAX, so no partial sum overflows
 *   (also not the kernels' reordered sums with the input zero point hoisted: every term stays within 255·128).
 * - No allocation, no floating point, fixed-width types only; output buffers never alias inputs.
 * - Speed (kernel_internal.h): on Cortex-M4/M7 (the DSP extension, __ARM_FEATURE_DSP) the linear kernels and pools
 *   use SMLAD / SMLAxy / SMMLAR / SIMD clamps; elsewhere (RV32, Xtensa, the host) register-tiled plain C. Both
 *   give the same bytes. Build with -DTINYML_NO_DSP to force the plain code on a DSP core.
 * - Stack: conv1d and pointwise1d re-lay out up to four filters' weights as int16 pairs on the stack, with a window
 *   copy for padded steps: at most 1.5 KB per call on Cortex-M (kernel · in_channels ≤ 4 · TINYML_PAIR_CHUNKS =
 *   120 rows at once; larger layers cut the reduction into tiles in the same buffer; define TINYML_PAIR_CHUNKS
 *   smaller for a smaller stack). The other kernels use a few hundred bytes at most.
 */
#ifndef TINYML_RUNTIME_H
#define TINYML_RUNTIME_H

#include <stdint.h>

#include "requantize.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Constants and types the prototypes below use; what the functions compute is said above each prototype. */
#define TINYML_ACTIVATION_TABLE_ENTRIES 513
extern const int16_t tinyml_sigmoid_q15_table[TINYML_ACTIVATION_TABLE_ENTRIES];
extern const int16_t tinyml_tanh_q15_table[TINYML_ACTIVATION_TABLE_ENTRIES];

/* The fraction bits of tinyml_input_from_raw_s16's per-channel offsets. */
#define TINYML_RAW_OFFSET_FRACTION_BITS 8

/*
 * The alarm rule (alarm.c; the spec's evaluate.postProcessing, the twin of alarmWindows in
 * packages/core/src/evaluate/alarms.ts): fed each window's decision in time order (0 = no event, 1 + j = event j,
 * as tinyml_result_t.decision; anything outside 1..events counts as no event), it raises an alarm of event j when
 *   - at least k of the last n windows (this one included; fewer at the start of a stream) were decided as j, and
 *   - at least refractory_samples samples lie between this window's end and the end of the window that raised j's
 *     previous alarm (none yet: allowed).
 * refractory_samples = ⌈refractorySeconds · sample rate⌉ (model.h: TINYML_ALARM_REFRACTORY_SAMPLES). elapsed_samples
 * is the number of samples between the previous window's end and this one's: TINYML_WINDOW_HOP for consecutive
 * windows (then the refractory time is TINYML_ALARM_REFRACTORY_WINDOWS = ⌈refractory_samples / hop⌉ windows), the
 * gap for event-centred windows; it is ignored for the first window after a reset, negative counts as 0.
 * tinyml_alarm_update writes alarms[j] = 1 for each event raising an alarm now, else 0, and returns how many did.
 * Storage is the caller's: history [n] (the last n decisions, a ring), votes [events] (decisions for j among
 * them), hold [events] (samples until j may alarm again). A zero-filled state (static storage) is a fresh stream,
 * as after tinyml_alarm_reset; reset at the start of each recording. Bounds: 1 ≤ n, 0 ≤ events ≤ 255,
 * 0 ≤ refractory_samples ≤ INT32_MAX. No allocation, integers only.
 */
typedef struct {
    int32_t k;
    int32_t n;
    int32_t refractory_samples;
    int32_t events;
    uint8_t *history;
    int32_t *votes;
    int32_t *hold;
    /* The ring slot of the oldest decision: the one the next window replaces. */
    int32_t next;
} tinyml_alarm_t;

/*
 * RR-interval features (rr_features.c, the twin of packages/core/src/data/rr-features.ts) for beat-centred models
 * trained with window.rrFeatures: per beat, from the R-peak sample indices (at the model's sample rate) of its
 * last 8 intervals and the next beat, the integers
 *   features[0] rr_pre   = round(256 · pre-RR / local)    features[1] rr_post = round(256 · post-RR / local)
 *   features[2] rr_local = local, the rounded mean of the beat's last n ≤ 8 RR intervals (its pre-RR included)
 * in samples; intervals are clamped to [1, 65535] samples (modulo 2^32, so a wrapping sample counter is fine),
 * features to 32767. Push each R peak as it is detected (tinyml_rr_push); after the push of beat i + 1,
 * tinyml_rr_features writes beat i's features and returns 1 (0, writing nothing, before three peaks). Reset at
 * the start of each recording; a zero-filled state is a reset one. 48 bytes, no allocation, integers only.
 */
#define TINYML_RR_HISTORY 8
#define TINYML_RR_FEATURE_COUNT 3
typedef struct {
    /* The last TINYML_RR_HISTORY + 2 peaks, a ring; next is the slot the next push fills. */
    uint32_t peaks[TINYML_RR_HISTORY + 2];
    int32_t count;
    int32_t next;
} tinyml_rr_t;

/* BEGIN GENERATED prototypes: npm run gen:c-abi writes this block from packages/core/src/quantize/c-kernel-abi.ts; do not edit. */
/*
 * conv1d: output[t][f] = clamp(requant(bias[f] + Σ_{k,c} (input[t·stride + k − pad_before][c] − input_zero_point) ·
 * weights[k][c][f]) + output_zero_point, act_min, act_max), t < out_length, f < filters. Taps outside the input
 * (`same` padding) are skipped: they hold the zero point. input [in_length][in_channels], weights
 * [kernel][in_channels][filters], bias/multiplier/shift [filters], output [out_length][filters].
 */
void tinyml_conv1d_s8(const int8_t *input, int32_t in_length, int32_t in_channels, const int8_t *weights,
                      const int32_t *bias, const int32_t *multiplier, const int32_t *shift, int32_t input_zero_point,
                      int32_t output_zero_point, int32_t act_min, int32_t act_max, int32_t kernel, int32_t stride,
                      int32_t pad_before, int32_t filters, int32_t out_length, int8_t *output);

/*
 * depthwise1d (channel multiplier 1): output[t][c] = clamp(requant(bias[c] + Σ_k (input[t·stride + k −
 * pad_before][c] − input_zero_point) · weights[k][c]) + output_zero_point). weights [kernel][channels],
 * bias/multiplier/shift [channels], output [out_length][channels].
 */
void tinyml_depthwise1d_s8(const int8_t *input, int32_t in_length, int32_t channels, const int8_t *weights,
                           const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                           int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                           int32_t kernel, int32_t stride, int32_t pad_before, int32_t out_length, int8_t *output);

/*
 * pointwise1d (1×1 conv): output[t][f] = clamp(requant(bias[f] + Σ_c (input[t][c] − input_zero_point) ·
 * weights[c][f]) + output_zero_point). weights [in_channels][filters], output [length][filters].
 */
void tinyml_pointwise1d_s8(const int8_t *input, int32_t length, int32_t in_channels, const int8_t *weights,
                           const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                           int32_t input_zero_point, int32_t output_zero_point, int32_t act_min, int32_t act_max,
                           int32_t filters, int8_t *output);

/*
 * dense on the flattened input: output[u] = clamp(requant(bias[u] + Σ_j (input[j] − input_zero_point) ·
 * weights[j][u]) + output_zero_point), j < inputs (= T·C of a [T][C] input), weights [inputs][units].
 */
void tinyml_dense_s8(const int8_t *input, int32_t inputs, const int8_t *weights, const int32_t *bias,
                     const int32_t *multiplier, const int32_t *shift, int32_t input_zero_point,
                     int32_t output_zero_point, int32_t act_min, int32_t act_max, int32_t units, int8_t *output);

/*
 * Pools (valid windows) on raw int8 values: the output keeps the input's scale and zero point. Averages round
 * half away from zero, (sum ± count/2) / count, as TFLite. output [out_length][channels] ([channels] for the
 * global average over `length` steps).
 */
void tinyml_maxpool1d_s8(const int8_t *input, int32_t channels, int32_t pool, int32_t stride, int32_t out_length,
                         int8_t *output);
void tinyml_avgpool1d_s8(const int8_t *input, int32_t channels, int32_t pool, int32_t stride, int32_t out_length,
                         int8_t *output);
void tinyml_globalavgpool_s8(const int8_t *input, int32_t length, int32_t channels, int8_t *output);

/* A standalone ReLU/ReLU6: output[i] = clamp(input[i] − input_zero_point + output_zero_point, act_min, act_max). */
void tinyml_clamp_s8(const int8_t *input, int32_t count, int32_t input_zero_point, int32_t output_zero_point,
                     int32_t act_min, int32_t act_max, int8_t *output);

/*
 * Fixed-point sigmoid and tanh: Q12 input (4096 = 1.0), Q0.15 output, a 513-entry table (activation_tables.c) with
 * integer linear interpolation. sigmoid in [0, 32767] over [−16, 16], tanh in [−32767, 32767] over [−8, 8]; inputs
 * outside are clamped.
 */
int16_t tinyml_sigmoid_q15(int32_t x_q12);
int16_t tinyml_tanh_q15(int32_t x_q12);

/*
 * GRU (Keras reset_after = true, gates z, r, h), the scheme of packages/core/src/quantize/kernels/gru.ts:
 *   gates[0][k] = bias[k] + Σ_c (x_c − input_zero_point)·kernel[c][k]     gates[1][k] = bias[3u + k] + Σ_j h_j·recurrent[j][k]
 *   X_k = requant(gates[0][k], kernel_multiplier[k], kernel_shift[k]), H_k likewise with recurrent_*: Q12 gate domain
 *   z = σ(X_z + H_z), r = σ(X_r + H_r), ĥ = tanh(X_h + round(r·H_h / 2^15)), h ← rdbpot(z·h + (32768 − z)·ĥ, 15)
 *   output = requant_s8(h, output_multiplier, output_shift, output_zero_point, act_min, act_max) per step
 *   (return_sequences ≠ 0: output [steps][units]) or after the last step only (output [units]).
 * kernel [in_channels][3u] and recurrent [units][3u] (adjacent in the blob), bias [2][3u], kernel_/recurrent_
 * multiplier and shift [3u]. Scratch: state int16 [units] (h in Q0.15, zeroed here), gates int32 [2][3u].
 * units ≤ 512 (the recurrent accumulator's bound).
 */
void tinyml_gru_s8(const int8_t *input, int32_t steps, int32_t in_channels, int32_t units, const int8_t *kernel,
                   const int8_t *recurrent, const int32_t *bias, const int32_t *kernel_multiplier,
                   const int32_t *kernel_shift, const int32_t *recurrent_multiplier, const int32_t *recurrent_shift,
                   int32_t output_multiplier, int32_t output_shift, int32_t input_zero_point, int32_t output_zero_point,
                   int32_t act_min, int32_t act_max, int32_t return_sequences, int16_t *state, int32_t *gates,
                   int8_t *output);

/*
 * Evidential uncertainty (packages/core/src/quantize/evidential.ts): for evidence steps a, b ≥ 0 and
 * K = evidence_one_q16, with A = a·2^16, B = b·2^16, D = A + B + 2K:
 *   p_q15 = floor((A + K)·2^15 / D), u_q15 = ceil(2K·2^15 / D) ∈ [1, 32768].
 * tinyml_evidential_head reads an int8 evidence tensor [e+_0, e-_0, e+_1, ...] of `events` pairs with its zero
 * point (a = q - zero_point), or with evidence_table (exp evidence: a = evidence_table[q + 128]; NULL for ReLU),
 * writes p_q15[events], u_q15[events], present[events] (1 when a > b) and returns the exit uncertainty: the
 * largest u_q15, or with exit_on_decision the largest tinyml_decision_uncertainty(a, b, K) =
 * ceil(2K·2^15 / (|A − B| + 2K)) ∈ [1, 32768], the decision uncertainty 2 / (|α − β| + 2).
 * tinyml_exit_decision: 1 when the window leaves at this exit (max_u_q15 ≤ threshold_q15, or the last exit).
 * tinyml_evidential_decision: the (E + 1)-class decision of a head, 0 = no event, 1 + j = event j: the present
 * event with the highest p_q15 (the first on ties). The reference interpreter decides with evidentialDecision.
 */
void tinyml_evidential_event(int32_t a, int32_t b, int32_t evidence_one_q16, int32_t *p_q15, int32_t *u_q15);
int32_t tinyml_decision_uncertainty(int32_t a, int32_t b, int32_t evidence_one_q16);
int32_t tinyml_evidential_head(const int8_t *evidence, int32_t events, int32_t zero_point, int32_t evidence_one_q16,
                               const int32_t *evidence_table, int32_t exit_on_decision, int32_t *p_q15, int32_t *u_q15,
                               uint8_t *present);
int32_t tinyml_exit_decision(int32_t max_u_q15, int32_t threshold_q15, int32_t is_last_exit);
int32_t tinyml_evidential_decision(const int32_t *p_q15, const uint8_t *present, int32_t events);

/*
 * Raw sensor samples ([t][c] int16: the sensor's counts, or the unit in the fixed point manifest.json names) to the
 * model's int8 input, the z-scoring and input quantisation folded into one map per channel; conversion holds
 * {offset, multiplier, shift} per channel: x_q = clamp(zero_point + MBQM(raw · 2^8 − offset, multiplier, shift)).
 */
void tinyml_input_from_raw_s16(const int16_t *raw, int32_t samples, int32_t channels, const int32_t *conversion,
                               int32_t zero_point, int8_t *output);

/*
 * The input-quality gate (packages/core/src/quantize/input-gate.ts) on the int8 input [t][c]: 1 when the window
 * passes, i.e. at most jitter_max second differences |x[t+1][c] - 2 x[t][c] + x[t-1][c]| exceed jitter_step and
 * the samples whose every channel equals zero[c] (a raw reading of 0) number <= zero_samples_max; else 0.
 */
int32_t tinyml_input_gate(const int8_t *input, int32_t samples, int32_t channels, const int8_t *zero,
                          int32_t jitter_step, int32_t jitter_max, int32_t zero_samples_max);

/* The alarm rule on the stream of window decisions: tinyml_alarm_t above says what it computes. */
void tinyml_alarm_init(tinyml_alarm_t *alarm, int32_t k, int32_t n, int32_t refractory_samples, int32_t events,
                       uint8_t *history, int32_t *votes, int32_t *hold);
void tinyml_alarm_reset(tinyml_alarm_t *alarm);
int32_t tinyml_alarm_update(tinyml_alarm_t *alarm, int32_t decision, int32_t elapsed_samples, uint8_t *alarms);

/* RR-interval features of beats: tinyml_rr_t above says what they are and how to feed them. */
void tinyml_rr_reset(tinyml_rr_t *rr);
void tinyml_rr_push(tinyml_rr_t *rr, uint32_t r_peak_sample);
int32_t tinyml_rr_features(const tinyml_rr_t *rr, int16_t *features);
/* END GENERATED prototypes */

#ifdef __cplusplus
}
#endif

#endif
