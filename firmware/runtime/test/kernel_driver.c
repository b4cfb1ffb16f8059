/*
 * Host test driver for the runtime: reads cases from stdin, one per line, as whitespace-separated integers led by a
 * kernel name; arrays are a length followed by that many values. Writes one line per case: the results, space
 * separated. packages/core/src/quantize/c-runtime.test.ts generates the cases, runs this under ASan/UBSan and
 * compares every line with the TypeScript reference. Buffers are allocated to their exact size so that any
 * out-of-bounds access is an ASan error.
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

/* Reads a length-prefixed array into a buffer of exactly that many elements (at least one byte allocated). */
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

static int32_t *read_i32s(void)
{
    const int32_t n = read_i32();
    int32_t *values = malloc(n > 0 ? sizeof(int32_t) * (size_t)n : 1u);
    for (int32_t i = 0; i < n; i++) {
        values[i] = read_i32();
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

static int8_t *output_buffer(int32_t n)
{
    return malloc(n > 0 ? (size_t)n : 1u);
}

/* Common tail of the linear kernels: weights, bias, multiplier, shift, then the op header. */
struct linear {
    int8_t *weights;
    int32_t *bias;
    int32_t *multiplier;
    int32_t *shift;
    int32_t input_zero_point, output_zero_point, act_min, act_max;
};

static struct linear read_linear(void)
{
    struct linear l;
    l.weights = read_i8s(NULL);
    l.bias = read_i32s();
    l.multiplier = read_i32s();
    l.shift = read_i32s();
    l.input_zero_point = read_i32();
    l.output_zero_point = read_i32();
    l.act_min = read_i32();
    l.act_max = read_i32();
    return l;
}

static void free_linear(struct linear *l)
{
    free(l->weights);
    free(l->bias);
    free(l->multiplier);
    free(l->shift);
}

int main(void)
{
    char name[32];
    while (scanf("%31s", name) == 1) {
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
        } else if (strcmp(name, "conv1d") == 0 || strcmp(name, "depthwise1d") == 0) {
            const int conv = strcmp(name, "conv1d") == 0;
            const int32_t in_length = read_i32();
            const int32_t channels = read_i32();
            const int32_t kernel = read_i32();
            const int32_t stride = read_i32();
            const int32_t pad_before = read_i32();
            const int32_t out_channels = read_i32();
            const int32_t out_length = read_i32();
            int8_t *input = read_i8s(NULL);
            struct linear l = read_linear();
            int8_t *output = output_buffer(out_length * out_channels);
            if (conv) {
                tinyml_conv1d_s8(input, in_length, channels, l.weights, l.bias, l.multiplier, l.shift, l.input_zero_point,
                                 l.output_zero_point, l.act_min, l.act_max, kernel, stride, pad_before, out_channels, out_length, output);
            } else {
                tinyml_depthwise1d_s8(input, in_length, channels, l.weights, l.bias, l.multiplier, l.shift, l.input_zero_point,
                                      l.output_zero_point, l.act_min, l.act_max, kernel, stride, pad_before, out_length, output);
            }
            print_i8s(output, out_length * out_channels);
            free(input);
            free(output);
            free_linear(&l);
        } else if (strcmp(name, "pointwise1d") == 0) {
            const int32_t length = read_i32();
            const int32_t channels = read_i32();
            const int32_t filters = read_i32();
            int8_t *input = read_i8s(NULL);
            struct linear l = read_linear();
            int8_t *output = output_buffer(length * filters);
            tinyml_pointwise1d_s8(input, length, channels, l.weights, l.bias, l.multiplier, l.shift, l.input_zero_point,
                                  l.output_zero_point, l.act_min, l.act_max, filters, output);
            print_i8s(output, length * filters);
            free(input);
            free(output);
            free_linear(&l);
        } else if (strcmp(name, "dense") == 0) {
            const int32_t inputs = read_i32();
            const int32_t units = read_i32();
            int8_t *input = read_i8s(NULL);
            struct linear l = read_linear();
            int8_t *output = output_buffer(units);
            tinyml_dense_s8(input, inputs, l.weights, l.bias, l.multiplier, l.shift, l.input_zero_point, l.output_zero_point,
                            l.act_min, l.act_max, units, output);
            print_i8s(output, units);
            free(input);
            free(output);
            free_linear(&l);
        } else if (strcmp(name, "maxpool1d") == 0 || strcmp(name, "avgpool1d") == 0) {
            const int32_t channels = read_i32();
            const int32_t pool = read_i32();
            const int32_t stride = read_i32();
            const int32_t out_length = read_i32();
            int8_t *input = read_i8s(NULL);
            int8_t *output = output_buffer(out_length * channels);
            if (strcmp(name, "maxpool1d") == 0) {
                tinyml_maxpool1d_s8(input, channels, pool, stride, out_length, output);
            } else {
                tinyml_avgpool1d_s8(input, channels, pool, stride, out_length, output);
            }
            print_i8s(output, out_length * channels);
            free(input);
            free(output);
        } else if (strcmp(name, "globalavgpool") == 0) {
            const int32_t length = read_i32();
            const int32_t channels = read_i32();
            int8_t *input = read_i8s(NULL);
            int8_t *output = output_buffer(channels);
            tinyml_globalavgpool_s8(input, length, channels, output);
            print_i8s(output, channels);
            free(input);
            free(output);
        } else if (strcmp(name, "clamp") == 0) {
            int32_t count;
            int8_t *input = read_i8s(&count);
            const int32_t input_zero_point = read_i32();
            const int32_t output_zero_point = read_i32();
            const int32_t act_min = read_i32();
            const int32_t act_max = read_i32();
            int8_t *output = output_buffer(count);
            tinyml_clamp_s8(input, count, input_zero_point, output_zero_point, act_min, act_max, output);
            print_i8s(output, count);
            free(input);
            free(output);
        } else if (strcmp(name, "raw_input") == 0) {
            /* samples channels zero_point, {offset, multiplier, shift} per channel, then the int16 samples. */
            const int32_t samples = read_i32();
            const int32_t channels = read_i32();
            const int32_t zero_point = read_i32();
            int32_t *conversion = read_i32s();
            int32_t *values = read_i32s();
            int16_t *raw = malloc(sizeof(int16_t) * (size_t)(samples * channels > 0 ? samples * channels : 1));
            for (int32_t i = 0; i < samples * channels; i++) {
                raw[i] = (int16_t)values[i];
            }
            int8_t *output = output_buffer(samples * channels);
            tinyml_input_from_raw_s16(raw, samples, channels, conversion, zero_point, output);
            print_i8s(output, samples * channels);
            free(conversion);
            free(values);
            free(raw);
            free(output);
        } else if (strcmp(name, "activations") == 0) {
            /* sigmoid and tanh of every Q12 input in [from, to]: "s t" pairs. */
            const int64_t from = read_int();
            const int64_t to = read_int();
            for (int64_t x = from; x <= to; x++) {
                printf(x == from ? "%d %d" : " %d %d", tinyml_sigmoid_q15((int32_t)x), tinyml_tanh_q15((int32_t)x));
            }
            printf("\n");
        } else if (strcmp(name, "gru") == 0) {
            const int32_t steps = read_i32();
            const int32_t in_channels = read_i32();
            const int32_t units = read_i32();
            const int32_t return_sequences = read_i32();
            int8_t *input = read_i8s(NULL);
            int8_t *kernel = read_i8s(NULL);
            int8_t *recurrent = read_i8s(NULL);
            int32_t *bias = read_i32s();
            int32_t *kernel_multiplier = read_i32s();
            int32_t *kernel_shift = read_i32s();
            int32_t *recurrent_multiplier = read_i32s();
            int32_t *recurrent_shift = read_i32s();
            const int32_t output_multiplier = read_i32();
            const int32_t output_shift = read_i32();
            const int32_t input_zero_point = read_i32();
            const int32_t output_zero_point = read_i32();
            const int32_t act_min = read_i32();
            const int32_t act_max = read_i32();
            const int32_t outputs = (return_sequences ? steps : 1) * units;
            int16_t *state = malloc(sizeof(int16_t) * (size_t)units);
            int32_t *gates = malloc(sizeof(int32_t) * (size_t)(6 * units));
            int8_t *output = output_buffer(outputs);
            tinyml_gru_s8(input, steps, in_channels, units, kernel, recurrent, bias, kernel_multiplier, kernel_shift,
                          recurrent_multiplier, recurrent_shift, output_multiplier, output_shift, input_zero_point,
                          output_zero_point, act_min, act_max, return_sequences, state, gates, output);
            print_i8s(output, outputs);
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
        } else if (strcmp(name, "evidential") == 0) {
            /* events, zero point, K, threshold, is_last, then the evidence: "max_u exits p_0 u_0 present_0 ...". */
            const int32_t events = read_i32();
            const int32_t zero_point = read_i32();
            const int32_t one_q16 = read_i32();
            const int32_t threshold = read_i32();
            const int32_t is_last = read_i32();
            int8_t *evidence = read_i8s(NULL);
            int32_t *p = malloc(sizeof(int32_t) * (size_t)events);
            int32_t *u = malloc(sizeof(int32_t) * (size_t)events);
            uint8_t *present = malloc((size_t)events);
            const int32_t max_u = tinyml_evidential_head(evidence, events, zero_point, one_q16, p, u, present);
            printf("%d %d", max_u, tinyml_exit_decision(max_u, threshold, is_last));
            for (int32_t e = 0; e < events; e++) {
                printf(" %d %d %d", p[e], u[e], present[e]);
            }
            printf("\n");
            free(evidence);
            free(p);
            free(u);
            free(present);
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
        } else {
            fprintf(stderr, "kernel_driver: unknown case \"%s\"\n", name);
            return 2;
        }
    }
    return 0;
}
