#include "tinyml_runtime.h"

void tinyml_clamp_s8(const int8_t *input, int32_t count, int32_t input_zero_point, int32_t output_zero_point,
                     int32_t act_min, int32_t act_max, int8_t *output)
{
    for (int32_t i = 0; i < count; i++) {
        const int32_t value = (int32_t)input[i] - input_zero_point + output_zero_point;
        output[i] = (int8_t)(value < act_min ? act_min : (value > act_max ? act_max : value));
    }
}

/*
 * The table's function at a Q12 input: clamp to the table's domain [lowest, −lowest − 1], then interpolate between
 * neighbouring entries. The tables are non-decreasing, so rise·fraction ≥ 0 and its shift is of a non-negative value.
 */
static int16_t interpolate(const int16_t *table, int32_t lowest, int32_t step_bits, int32_t x_q12)
{
    const int32_t highest = -lowest - 1;
    const int32_t clamped = x_q12 < lowest ? lowest : (x_q12 > highest ? highest : x_q12);
    const int32_t offset = clamped - lowest;
    const int32_t index = offset >> step_bits;
    const int32_t fraction = offset & ((1 << step_bits) - 1);
    const int32_t below = table[index];
    const int32_t rise = table[index + 1] - below;
    return (int16_t)(below + ((rise * fraction + (1 << (step_bits - 1))) >> step_bits));
}

int16_t tinyml_sigmoid_q15(int32_t x_q12)
{
    return interpolate(tinyml_sigmoid_q15_table, -16 * 4096, 8, x_q12);
}

int16_t tinyml_tanh_q15(int32_t x_q12)
{
    return interpolate(tinyml_tanh_q15_table, -8 * 4096, 7, x_q12);
}
