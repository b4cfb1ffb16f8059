/*
 * RR-interval features of a beat: the C twin of rrFeatures / rrIntervalsAt in packages/core/src/data/rr-features.ts
 * (see that file for the definition). The caller pushes each beat's R-peak sample index as its detector finds it;
 * once a beat's successor is known, tinyml_rr_features gives that beat's features.
 */
#include "tinyml_runtime.h"

#define RR_PEAKS (TINYML_RR_HISTORY + 2)
#define RR_INTERVAL_MAX 65535u
#define RR_FEATURE_MAX 32767

void tinyml_rr_reset(tinyml_rr_t *rr)
{
    for (int32_t i = 0; i < RR_PEAKS; i++) {
        rr->peaks[i] = 0u;
    }
    rr->count = 0;
    rr->next = 0;
}

void tinyml_rr_push(tinyml_rr_t *rr, uint32_t r_peak_sample)
{
    rr->peaks[rr->next] = r_peak_sample;
    rr->next = rr->next + 1 == RR_PEAKS ? 0 : rr->next + 1;
    if (rr->count < RR_PEAKS) {
        rr->count++;
    }
}

/* The peak `back` pushes before the newest (0: the newest). */
static uint32_t peak_before(const tinyml_rr_t *rr, int32_t back)
{
    const int32_t slot = rr->next - 1 - back;
    return rr->peaks[slot < 0 ? slot + RR_PEAKS : slot];
}

/* Samples between two successive peaks, modulo 2^32 (a wrapped sample counter still gives the interval), in [1, 65535]. */
static int32_t interval(uint32_t later, uint32_t earlier)
{
    const uint32_t d = later - earlier;
    return (int32_t)(d == 0u ? 1u : d > RR_INTERVAL_MAX ? RR_INTERVAL_MAX : d);
}

static int16_t ratio_q8(int32_t samples, int32_t local)
{
    /* samples <= 65535, so samples * 256 + local / 2 < 2^25. */
    const int32_t q = (samples * 256 + local / 2) / local;
    return (int16_t)(q > RR_FEATURE_MAX ? RR_FEATURE_MAX : q);
}

int32_t tinyml_rr_features(const tinyml_rr_t *rr, int16_t *features)
{
    if (rr->count < 3) {
        return 0;
    }
    /* The beat is the second newest peak: its post-RR ends at the newest, its history reaches back 8 intervals. */
    const int32_t post = interval(peak_before(rr, 0), peak_before(rr, 1));
    const int32_t pre = interval(peak_before(rr, 1), peak_before(rr, 2));
    int32_t n = 0;
    int32_t sum = 0;
    for (int32_t k = 1; k <= TINYML_RR_HISTORY && k + 1 < rr->count; k++) {
        sum += interval(peak_before(rr, k), peak_before(rr, k + 1));
        n++;
    }
    int32_t local = (2 * sum + n) / (2 * n);
    if (local < 1) {
        local = 1;
    }
    features[0] = ratio_q8(pre, local);
    features[1] = ratio_q8(post, local);
    features[2] = (int16_t)(local > RR_FEATURE_MAX ? RR_FEATURE_MAX : local);
    return 1;
}
