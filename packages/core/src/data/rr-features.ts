/**
 * RR-interval features of a beat (MIT-BIH beat windows, `window.rrFeatures`): the inter-patient arrhythmia
 * literature (de Chazal 2004 and after) separates S beats from N by their timing, which a 0.72 s window around the
 * beat cannot see. Three integers per beat, all from R-peak sample indices at the window rate:
 *
 *   local = the mean of the beat's last n ≤ 8 RR intervals (its own pre-RR included), rounded
 *   rr_pre  = round(256 · pre-RR / local)    (1/256 units: 256 is a beat on the local rhythm)
 *   rr_post = round(256 · post-RR / local)
 *   rr_local = local                          (samples)
 *
 * Ratios to the patient's own rhythm, not absolute intervals, so a premature beat looks premature at any heart
 * rate. Each interval is clamped to 65535 samples and each feature to 32767, so every product fits int32.
 * `firmware/runtime/rr_features.c` is the C twin; they are compared byte for byte under ASan/UBSan.
 */

/** RR intervals kept per beat: the last `RR_HISTORY` up to and including its pre-RR, then its post-RR. */
export const RR_HISTORY = 8;
export const RR_INTERVALS = RR_HISTORY + 1;
export const RR_INTERVAL_MAX = 65535;
const FEATURE_MAX = 32767;

/** The channels the features become, appended after the signal channels, with what one count is. */
export function rrChannels(sampleRateHz: number): { name: string; unit: string; perCount: number }[] {
  return [
    { name: 'rr_pre', unit: 'ratio', perCount: 1 / 256 },
    { name: 'rr_post', unit: 'ratio', perCount: 1 / 256 },
    { name: 'rr_local', unit: 's', perCount: 1 / sampleRateHz },
  ];
}

/**
 * The `RR_INTERVALS` intervals of beat `i` of `peaks` (sample indices, ascending): the up to 8 intervals ending at
 * it, oldest first, 0 where the recording had no earlier beat, then its post-RR. Null when it has no previous or
 * no next beat (its features are undefined; such beats get no window).
 */
export function rrIntervalsAt(peaks: readonly number[], i: number): Uint16Array | null {
  if (i < 1 || i + 1 >= peaks.length) return null;
  const out = new Uint16Array(RR_INTERVALS);
  for (let k = 0; k < RR_HISTORY; k++) {
    const beat = i - (RR_HISTORY - 1) + k;
    if (beat >= 1) out[k] = clampInterval(peaks[beat] - peaks[beat - 1]);
  }
  out[RR_HISTORY] = clampInterval(peaks[i + 1] - peaks[i]);
  return out;
}

function clampInterval(samples: number): number {
  // Two beats on one sample (after decimation) still count as an interval: 0 means "no beat".
  return Math.min(RR_INTERVAL_MAX, Math.max(1, samples));
}

/** [rr_pre, rr_post, rr_local] from a beat's intervals (see `rrIntervalsAt`); the integer definition above. */
export function rrFeatures(intervals: ArrayLike<number>): [number, number, number] {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < RR_HISTORY; k++) {
    if (intervals[k] > 0) {
      sum += intervals[k];
      n++;
    }
  }
  const pre = intervals[RR_HISTORY - 1];
  const post = intervals[RR_HISTORY];
  // Rounded integer divisions, written as the C twin computes them (all operands non-negative).
  const local = n === 0 ? 1 : Math.max(1, Math.floor((2 * sum + n) / (2 * n)));
  const ratio = (interval: number) => Math.min(FEATURE_MAX, Math.floor((interval * 256 + Math.floor(local / 2)) / local));
  return [ratio(pre), ratio(post), Math.min(FEATURE_MAX, local)];
}

/** The features in their channels' units (count × perCount): what the window store's RR channels read. */
export function rrPhysical(intervals: ArrayLike<number>, sampleRateHz: number): [number, number, number] {
  const [pre, post, local] = rrFeatures(intervals);
  return [pre / 256, post / 256, local / sampleRateHz];
}
