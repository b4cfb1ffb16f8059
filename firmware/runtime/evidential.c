#include "tinyml_runtime.h"

void tinyml_evidential_event(int32_t a, int32_t b, int32_t evidence_one_q16, int32_t *p_q15, int32_t *u_q15)
{
    const int64_t big_a = (int64_t)a * 65536;
    const int64_t k = evidence_one_q16;
    const int64_t denominator = big_a + (int64_t)b * 65536 + 2 * k;
    const int64_t u_numerator = 2 * k * 32768;
    /* Non-negative operands: C's division is the floor; the ceiling adds denominator − 1 first. */
    *p_q15 = (int32_t)(((big_a + k) * 32768) / denominator);
    *u_q15 = (int32_t)((u_numerator + denominator - 1) / denominator);
}

int32_t tinyml_decision_uncertainty(int32_t a, int32_t b, int32_t evidence_one_q16)
{
    const int64_t k = evidence_one_q16;
    const int64_t difference = ((int64_t)a - (int64_t)b) * 65536;
    const int64_t denominator = (difference < 0 ? -difference : difference) + 2 * k;
    return (int32_t)((2 * k * 32768 + denominator - 1) / denominator);
}

int32_t tinyml_evidential_head(const int8_t *evidence, int32_t events, int32_t zero_point, int32_t evidence_one_q16,
                               const int32_t *evidence_table, int32_t exit_on_decision, int32_t *p_q15, int32_t *u_q15,
                               uint8_t *present)
{
    int32_t max_u = 0;
    for (int32_t e = 0; e < events; e++) {
        /* Exp evidence: the table holds exp of each int8 value in steps of 1/256 (quantize/evidential.ts). */
        const int32_t a = evidence_table ? evidence_table[(int32_t)evidence[2 * e] + 128] : (int32_t)evidence[2 * e] - zero_point;
        const int32_t b = evidence_table ? evidence_table[(int32_t)evidence[2 * e + 1] + 128] : (int32_t)evidence[2 * e + 1] - zero_point;
        tinyml_evidential_event(a, b, evidence_one_q16, &p_q15[e], &u_q15[e]);
        present[e] = (uint8_t)(a > b);
        /* The exit uncertainty: the Beta's vacuity u, or the decision's d (quantize/evidential.ts). */
        const int32_t exit_u = exit_on_decision ? tinyml_decision_uncertainty(a, b, evidence_one_q16) : u_q15[e];
        max_u = exit_u > max_u ? exit_u : max_u;
    }
    return max_u;
}

int32_t tinyml_exit_decision(int32_t max_u_q15, int32_t threshold_q15, int32_t is_last_exit)
{
    return is_last_exit || max_u_q15 <= threshold_q15;
}

int32_t tinyml_evidential_decision(const int32_t *p_q15, const uint8_t *present, int32_t events)
{
    int32_t best = 0;
    int32_t best_p = -1;
    for (int32_t j = 0; j < events; j++) {
        if (present[j] && p_q15[j] > best_p) {
            best = j + 1;
            best_p = p_q15[j];
        }
    }
    return best;
}
