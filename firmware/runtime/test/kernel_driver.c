/*
 * Host test driver for the runtime: reads cases from stdin, one per line, as whitespace-separated integers led by a
 * kernel name; arrays are a length followed by that many values. Writes one line per case: the results, space
 * separated. packages/core/src/quantize/c-runtime.test.ts generates the cases, runs this under ASan/UBSan and
 * compares every line with the TypeScript reference. Buffers are allocated to their exact size so that any
 * out-of-bounds access is an ASan error. The kernels' cases are generated from the runtime's interface table
 * (packages/core/src/quantize/c-kernel-abi.ts, whose driverCaseLine writes their input lines); the cases below them
 * test helpers and composite behaviour the table does not describe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyml_runtime.h"

static int64_t read_int(void)
{
    long long value;
    if (scanf("%lld", &value) != 1) {
        fprintf(stderr, "kernel_driver: expected an integer\n");
        exit(2);
    }
    return (int64_t)value;
}

static int32_t read_i32(void)
{
    return (int32_t)read_int();
}

/* Reads a length-prefixed array into a buffer of exactly that many elements (at least one byte allocated), so any
   access past what the case gave is an ASan error. */
static int8_t *read_i8s(int32_t *count)
{
    const int32_t n = read_i32();
    int8_t *values = malloc(n > 0 ? (size_t)n : 1u);
    for (int32_t i = 0; i < n; i++) {
        values[i] = (int8_t)read_int();
    }
    if (count) {
        *count = n;
    }
    return values;
}

static int16_t *read_i16s(int32_t *count)
{
    const int32_t n = read_i32();
    int16_t *values = malloc(n > 0 ? sizeof(int16_t) * (size_t)n : 1u);
    for (int32_t i = 0; i < n; i++) {
        values[i] = (int16_t)read_int();
    }
    if (count) {
        *count = n;
    }
    return values;
}

static int32_t *read_i32s(int32_t *count)
{
    const int32_t n = read_i32();
    int32_t *values = malloc(n > 0 ? sizeof(int32_t) * (size_t)n : 1u);
    for (int32_t i = 0; i < n; i++) {
        values[i] = read_i32();
    }
    if (count) {
        *count = n;
    }
    return values;
}

static void print_i8s(const int8_t *values, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        printf(i ? " %d" : "%d", values[i]);
    }
    printf("\n");
}

/* Exactly n elements (at least one byte), for the same reason as the readers. */
static void *buffer(int32_t n, size_t element)
{
    return malloc(n > 0 ? element * (size_t)n : 1u);
}

/* A case that gives an array shorter than the table says the function reads is a bug in the case, not the kernel. */
static void require_length(const char *name, const char *param, int32_t given, int32_t needed)
{
    if (given < needed) {
        fprintf(stderr, "kernel_driver: %s: %s has %d elements, the function reads %d\n", name, param, given, needed);
        exit(2);
    }
}

/* BEGIN GENERATED driver cases: npm run gen:c-abi writes this block from packages/core/src/quantize/c-kernel-abi.ts; do not edit. */
/* Runs the case `name` if the table has it (reading its data, printing its output); returns 0 otherwise. */
static int32_t run_table_case(const char *name)
{
    if (strcmp(name, "conv1d") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t in_length = read_i32();
        const int32_t in_channels = read_i32();
        int32_t weights_count;
        int8_t *weights = read_i8s(&weights_count);
        int32_t bias_count;
        int32_t *bias = read_i32s(&bias_count);
        int32_t multiplier_count;
        int32_t *multiplier = read_i32s(&multiplier_count);
        int32_t shift_count;
        int32_t *shift = read_i32s(&shift_count);
        const int32_t input_zero_point = read_i32();
        const int32_t output_zero_point = read_i32();
        const int32_t act_min = read_i32();
        const int32_t act_max = read_i32();
        const int32_t kernel = read_i32();
        const int32_t stride = read_i32();
        const int32_t pad_before = read_i32();
        const int32_t filters = read_i32();
        const int32_t out_length = read_i32();
        require_length("conv1d", "input", input_count, in_length * in_channels);
        require_length("conv1d", "weights", weights_count, kernel * in_channels * filters);
        require_length("conv1d", "bias", bias_count, filters);
        require_length("conv1d", "multiplier", multiplier_count, filters);
        require_length("conv1d", "shift", shift_count, filters);
        int8_t *output = buffer(out_length * filters, sizeof(int8_t));
        tinyml_conv1d_s8(input, in_length, in_channels, weights, bias, multiplier, shift, input_zero_point,
                         output_zero_point, act_min, act_max, kernel, stride, pad_before, filters, out_length, output);
        print_i8s(output, out_length * filters);
        free(input);
        free(weights);
        free(bias);
        free(multiplier);
        free(shift);
        free(output);
        return 1;
    }
    if (strcmp(name, "depthwise1d") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t in_length = read_i32();
        const int32_t channels = read_i32();
        int32_t weights_count;
        int8_t *weights = read_i8s(&weights_count);
        int32_t bias_count;
        int32_t *bias = read_i32s(&bias_count);
        int32_t multiplier_count;
        int32_t *multiplier = read_i32s(&multiplier_count);
        int32_t shift_count;
        int32_t *shift = read_i32s(&shift_count);
        const int32_t input_zero_point = read_i32();
        const int32_t output_zero_point = read_i32();
        const int32_t act_min = read_i32();
        const int32_t act_max = read_i32();
        const int32_t kernel = read_i32();
        const int32_t stride = read_i32();
        const int32_t pad_before = read_i32();
        const int32_t out_length = read_i32();
        require_length("depthwise1d", "input", input_count, in_length * channels);
        require_length("depthwise1d", "weights", weights_count, kernel * channels);
        require_length("depthwise1d", "bias", bias_count, channels);
        require_length("depthwise1d", "multiplier", multiplier_count, channels);
        require_length("depthwise1d", "shift", shift_count, channels);
        int8_t *output = buffer(out_length * channels, sizeof(int8_t));
        tinyml_depthwise1d_s8(input, in_length, channels, weights, bias, multiplier, shift, input_zero_point,
                              output_zero_point, act_min, act_max, kernel, stride, pad_before, out_length, output);
        print_i8s(output, out_length * channels);
        free(input);
        free(weights);
        free(bias);
        free(multiplier);
        free(shift);
        free(output);
        return 1;
    }
    if (strcmp(name, "pointwise1d") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t length = read_i32();
        const int32_t in_channels = read_i32();
        int32_t weights_count;
        int8_t *weights = read_i8s(&weights_count);
        int32_t bias_count;
        int32_t *bias = read_i32s(&bias_count);
        int32_t multiplier_count;
        int32_t *multiplier = read_i32s(&multiplier_count);
        int32_t shift_count;
        int32_t *shift = read_i32s(&shift_count);
        const int32_t input_zero_point = read_i32();
        const int32_t output_zero_point = read_i32();
        const int32_t act_min = read_i32();
        const int32_t act_max = read_i32();
        const int32_t filters = read_i32();
        require_length("pointwise1d", "input", input_count, length * in_channels);
        require_length("pointwise1d", "weights", weights_count, in_channels * filters);
        require_length("pointwise1d", "bias", bias_count, filters);
        require_length("pointwise1d", "multiplier", multiplier_count, filters);
        require_length("pointwise1d", "shift", shift_count, filters);
        int8_t *output = buffer(length * filters, sizeof(int8_t));
        tinyml_pointwise1d_s8(input, length, in_channels, weights, bias, multiplier, shift, input_zero_point,
                              output_zero_point, act_min, act_max, filters, output);
        print_i8s(output, length * filters);
        free(input);
        free(weights);
        free(bias);
        free(multiplier);
        free(shift);
        free(output);
        return 1;
    }
    if (strcmp(name, "dense") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t inputs = read_i32();
        int32_t weights_count;
        int8_t *weights = read_i8s(&weights_count);
        int32_t bias_count;
        int32_t *bias = read_i32s(&bias_count);
        int32_t multiplier_count;
        int32_t *multiplier = read_i32s(&multiplier_count);
        int32_t shift_count;
        int32_t *shift = read_i32s(&shift_count);
        const int32_t input_zero_point = read_i32();
        const int32_t output_zero_point = read_i32();
        const int32_t act_min = read_i32();
        const int32_t act_max = read_i32();
        const int32_t units = read_i32();
        require_length("dense", "input", input_count, inputs);
        require_length("dense", "weights", weights_count, inputs * units);
        require_length("dense", "bias", bias_count, units);
        require_length("dense", "multiplier", multiplier_count, units);
        require_length("dense", "shift", shift_count, units);
        int8_t *output = buffer(units, sizeof(int8_t));
        tinyml_dense_s8(input, inputs, weights, bias, multiplier, shift, input_zero_point, output_zero_point, act_min,
                        act_max, units, output);
        print_i8s(output, units);
        free(input);
        free(weights);
        free(bias);
        free(multiplier);
        free(shift);
        free(output);
        return 1;
    }
    if (strcmp(name, "maxpool1d") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t channels = read_i32();
        const int32_t pool = read_i32();
        const int32_t stride = read_i32();
        const int32_t out_length = read_i32();
        require_length("maxpool1d", "input", input_count, ((out_length - 1) * stride + pool) * channels);
        int8_t *output = buffer(out_length * channels, sizeof(int8_t));
        tinyml_maxpool1d_s8(input, channels, pool, stride, out_length, output);
        print_i8s(output, out_length * channels);
        free(input);
        free(output);
        return 1;
    }
    if (strcmp(name, "avgpool1d") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t channels = read_i32();
        const int32_t pool = read_i32();
        const int32_t stride = read_i32();
        const int32_t out_length = read_i32();
        require_length("avgpool1d", "input", input_count, ((out_length - 1) * stride + pool) * channels);
        int8_t *output = buffer(out_length * channels, sizeof(int8_t));
        tinyml_avgpool1d_s8(input, channels, pool, stride, out_length, output);
        print_i8s(output, out_length * channels);
        free(input);
        free(output);
        return 1;
    }
    if (strcmp(name, "globalavgpool") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t length = read_i32();
        const int32_t channels = read_i32();
        require_length("globalavgpool", "input", input_count, length * channels);
        int8_t *output = buffer(channels, sizeof(int8_t));
        tinyml_globalavgpool_s8(input, length, channels, output);
        print_i8s(output, channels);
        free(input);
        free(output);
        return 1;
    }
    if (strcmp(name, "clamp") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t count = read_i32();
        const int32_t input_zero_point = read_i32();
        const int32_t output_zero_point = read_i32();
        const int32_t act_min = read_i32();
        const int32_t act_max = read_i32();
        require_length("clamp", "input", input_count, count);
        int8_t *output = buffer(count, sizeof(int8_t));
        tinyml_clamp_s8(input, count, input_zero_point, output_zero_point, act_min, act_max, output);
        print_i8s(output, count);
        free(input);
        free(output);
        return 1;
    }
    if (strcmp(name, "gru") == 0) {
        int32_t input_count;
        int8_t *input = read_i8s(&input_count);
        const int32_t steps = read_i32();
        const int32_t in_channels = read_i32();
        const int32_t units = read_i32();
        int32_t kernel_count;
        int8_t *kernel = read_i8s(&kernel_count);
        int32_t recurrent_count;
        int8_t *recurrent = read_i8s(&recurrent_count);
        int32_t bias_count;
        int32_t *bias = read_i32s(&bias_count);
        int32_t kernel_multiplier_count;
        int32_t *kernel_multiplier = read_i32s(&kernel_multiplier_count);
        int32_t kernel_shift_count;
        int32_t *kernel_shift = read_i32s(&kernel_shift_count);
        int32_t recurrent_multiplier_count;
        int32_t *recurrent_multiplier = read_i32s(&recurrent_multiplier_count);
        int32_t recurrent_shift_count;
        int32_t *recurrent_shift = read_i32s(&recurrent_shift_count);
        const int32_t output_multiplier = read_i32();
        const int32_t output_shift = read_i32();
        const int32_t input_zero_point = read_i32();
        const int32_t output_zero_point = read_i32();
        const int32_t act_min = read_i32();
        const int32_t act_max = read_i32();
        const int32_t return_sequences = read_i32();
        require_length("gru", "input", input_count, steps * in_channels);
        require_length("gru", "kernel", kernel_count, in_channels * 3 * units);
        require_length("gru", "recurrent", recurrent_count, units * 3 * units);
        require_length("gru", "bias", bias_count, 6 * units);
        require_length("gru", "kernel_multiplier", kernel_multiplier_count, 3 * units);
        require_length("gru", "kernel_shift", kernel_shift_count, 3 * units);
        require_length("gru", "recurrent_multiplier", recurrent_multiplier_count, 3 * units);
        require_length("gru", "recurrent_shift", recurrent_shift_count, 3 * units);
        int16_t *state = buffer(units, sizeof(int16_t));
        int32_t *gates = buffer(6 * units, sizeof(int32_t));
        int8_t *output = buffer((return_sequences ? steps : 1) * units, sizeof(int8_t));
        tinyml_gru_s8(input, steps, in_channels, units, kernel, recurrent, bias, kernel_multiplier, kernel_shift,
                      recurrent_multiplier, recurrent_shift, output_multiplier, output_shift, input_zero_point,
                      output_zero_point, act_min, act_max, return_sequences, state, gates, output);
        print_i8s(output, (return_sequences ? steps : 1) * units);
        free(input);
        free(kernel);
        free(recurrent);
        free(bias);
        free(kernel_multiplier);
        free(kernel_shift);
        free(recurrent_multiplier);
        free(recurrent_shift);
        free(state);
        free(gates);
        free(output);
        return 1;
    }
    if (strcmp(name, "raw_input") == 0) {
        int32_t raw_count;
        int16_t *raw = read_i16s(&raw_count);
        const int32_t samples = read_i32();
        const int32_t channels = read_i32();
        int32_t conversion_count;
        int32_t *conversion = read_i32s(&conversion_count);
        const int32_t zero_point = read_i32();
        require_length("raw_input", "raw", raw_count, samples * channels);
        require_length("raw_input", "conversion", conversion_count, 3 * channels);
        int8_t *output = buffer(samples * channels, sizeof(int8_t));
        tinyml_input_from_raw_s16(raw, samples, channels, conversion, zero_point, output);
        print_i8s(output, samples * channels);
        free(raw);
        free(conversion);
        free(output);
        return 1;
    }
    return 0;
}
/* END GENERATED driver cases */

int main(void)
{
    char name[32];
    while (scanf("%31s", name) == 1) {
        if (run_table_case(name)) {
            continue;
        }
        if (strcmp(name, "srdhm") == 0) {
            const int32_t a = read_i32();
            const int32_t b = read_i32();
            printf("%d\n", tinyml_saturating_rounding_doubling_high_mul(a, b));
        } else if (strcmp(name, "rdbpot") == 0) {
            const int32_t x = read_i32();
            const int32_t e = read_i32();
            printf("%d\n", tinyml_rounding_divide_by_pot(x, e));
        } else if (strcmp(name, "mbqm") == 0) {
            const int32_t x = read_i32();
            const int32_t m = read_i32();
            const int32_t s = read_i32();
            printf("%d\n", tinyml_multiply_by_quantized_multiplier(x, m, s));
        } else if (strcmp(name, "requant") == 0) {
            const int32_t acc = read_i32();
            const int32_t m = read_i32();
            const int32_t s = read_i32();
            const int32_t zp = read_i32();
            const int32_t lo = read_i32();
            const int32_t hi = read_i32();
            printf("%d\n", tinyml_requantize_s8(acc, m, s, zp, lo, hi));
        } else if (strcmp(name, "activations") == 0) {
            /* sigmoid and tanh of every Q12 input in [from, to]: "s t" pairs. */
            const int64_t from = read_int();
            const int64_t to = read_int();
            for (int64_t x = from; x <= to; x++) {
                printf(x == from ? "%d %d" : " %d %d", tinyml_sigmoid_q15((int32_t)x), tinyml_tanh_q15((int32_t)x));
            }
            printf("\n");
        } else if (strcmp(name, "evidential") == 0) {
            /* events, zero point, K, threshold, is_last, exit_on_decision, the evidence, then the evidence table
               (0 entries: none): "max_u exits decision p_0 u_0 present_0 ...". */
            const int32_t events = read_i32();
            const int32_t zero_point = read_i32();
            const int32_t one_q16 = read_i32();
            const int32_t threshold = read_i32();
            const int32_t is_last = read_i32();
            const int32_t exit_on_decision = read_i32();
            int8_t *evidence = read_i8s(NULL);
            int32_t table_count = 0;
            int32_t *table = read_i32s(&table_count);
            int32_t *p = malloc(sizeof(int32_t) * (size_t)events);
            int32_t *u = malloc(sizeof(int32_t) * (size_t)events);
            uint8_t *present = malloc((size_t)events);
            const int32_t max_u = tinyml_evidential_head(evidence, events, zero_point, one_q16, table_count == 256 ? table : NULL,
                                                         exit_on_decision, p, u, present);
            printf("%d %d %d", max_u, tinyml_exit_decision(max_u, threshold, is_last), tinyml_evidential_decision(p, present, events));
            for (int32_t e = 0; e < events; e++) {
                printf(" %d %d %d", p[e], u[e], present[e]);
            }
            printf("\n");
            free(evidence);
            free(table);
            free(p);
            free(u);
            free(present);
        } else if (strcmp(name, "input_gate") == 0) {
            /* samples, channels, jitter_step, jitter_max, zero_samples_max, the zero reading, then the input: prints 1 or 0. */
            const int32_t samples = read_i32();
            const int32_t channels = read_i32();
            const int32_t jitter_step = read_i32();
            const int32_t jitter_max = read_i32();
            const int32_t zero_samples_max = read_i32();
            int8_t *zero = read_i8s(NULL);
            int8_t *input = read_i8s(NULL);
            printf("%d\n", tinyml_input_gate(input, samples, channels, zero, jitter_step, jitter_max, zero_samples_max));
            free(zero);
            free(input);
        } else if (strcmp(name, "alarm") == 0) {
            /* k n refractory_samples events windows, then per window "reset decision elapsed_samples" (reset 1 starts
               a new recording): prints "window event" for every alarm, in order. */
            const int32_t k = read_i32();
            const int32_t n = read_i32();
            const int32_t refractory_samples = read_i32();
            const int32_t events = read_i32();
            const int32_t windows = read_i32();
            uint8_t *history = malloc((size_t)n);
            int32_t *votes = malloc(sizeof(int32_t) * (size_t)events);
            int32_t *hold = malloc(sizeof(int32_t) * (size_t)events);
            uint8_t *alarms = malloc((size_t)events);
            tinyml_alarm_t alarm;
            tinyml_alarm_init(&alarm, k, n, refractory_samples, events, history, votes, hold);
            int32_t printed = 0;
            for (int32_t w = 0; w < windows; w++) {
                const int32_t reset = read_i32();
                const int32_t decision = read_i32();
                const int32_t elapsed = read_i32();
                if (reset) {
                    tinyml_alarm_reset(&alarm);
                }
                const int32_t raised = tinyml_alarm_update(&alarm, decision, elapsed, alarms);
                int32_t counted = 0;
                for (int32_t j = 0; j < events; j++) {
                    if (alarms[j] > 1u) {
                        fprintf(stderr, "kernel_driver: alarm flag %d\n", alarms[j]);
                        return 3;
                    }
                    if (alarms[j]) {
                        printf(printed++ ? " %d %d" : "%d %d", w, j);
                        counted++;
                    }
                }
                if (counted != raised) {
                    fprintf(stderr, "kernel_driver: %d alarms flagged, %d returned\n", counted, raised);
                    return 3;
                }
            }
            printf("\n");
            free(history);
            free(votes);
            free(hold);
            free(alarms);
        } else if (strcmp(name, "rr") == 0) {
            /* peaks, then per peak "reset sample" (reset 1 starts a new recording): after each push prints the
               features of the beat before it ("a,b,c") or "-" when there are none yet, space-separated. */
            const int32_t peaks = read_i32();
            tinyml_rr_t rr;
            tinyml_rr_reset(&rr);
            for (int32_t i = 0; i < peaks; i++) {
                const int32_t reset = read_i32();
                const uint32_t sample = (uint32_t)read_int();
                if (reset) {
                    tinyml_rr_reset(&rr);
                }
                tinyml_rr_push(&rr, sample);
                int16_t features[TINYML_RR_FEATURE_COUNT] = {-1, -1, -1};
                const char *gap = i ? " " : "";
                if (tinyml_rr_features(&rr, features)) {
                    printf("%s%d,%d,%d", gap, features[0], features[1], features[2]);
                } else {
                    printf("%s-", gap);
                }
            }
            printf("\n");
        } else {
            fprintf(stderr, "kernel_driver: unknown case \"%s\"\n", name);
            return 2;
        }
    }
    return 0;
}
