/**
 * The decision post-processing a deployed detector runs on its stream of per-window decisions, declared in the
 * spec (`evaluate.postProcessing`) so the evaluation and the firmware apply the same rule.
 *
 * For each event separately: window i raises an alarm when at least `k` of the last `n` windows of the recording
 * (windows i − n + 1 … i, fewer at the recording's start) were decided as that event, and no alarm of that event was
 * raised in the `refractorySeconds` before window i ends (an alarm exactly `refractorySeconds` after the previous
 * one is allowed). The alarm's time is the end of window i: the moment the device has the window.
 *
 * Time is counted in samples, exactly: window ends lie on the sample grid, and the refractory time is
 * `refractorySamples` = ⌈refractorySeconds · sampleRateHz⌉, computed in integers on the two numbers as written
 * (their shortest decimal forms: 0.07 s at 100 Hz is 7 samples). An alarm is allowed when (samples since the last
 * alarm's window end) ≥ refractorySamples. Because the sample difference is a whole number, that is the same as
 * ≥ refractorySeconds · sampleRateHz in exact arithmetic — with no floating-point rounding at the boundary. The
 * firmware's twin (firmware/runtime/alarm.c, `tinyml_alarm_update`) counts the same samples; for windows a hop
 * apart it equals the windows rule of `alarmWindowsOnHops` with `refractoryWindows` = ⌈refractorySamples / hop⌉
 * = ⌈refractorySeconds · sampleRateHz / hop⌉ (m windows after an alarm are m · hop samples later, and
 * m · hop ≥ refractorySamples ⇔ m ≥ ⌈refractorySamples / hop⌉).
 */
export interface PostProcessingRule {
  k: number;
  n: number;
  refractorySeconds: number;
}

/** The rule written out in words, for reports and for whoever carries it into firmware. */
export function describeRule(rule: PostProcessingRule): string {
  const vote = rule.k === 1 && rule.n === 1 ? 'every window decided as the event' : `${rule.k} of the last ${rule.n} consecutive windows decided as the event`;
  const refractory = rule.refractorySeconds > 0 ? `, then no further alarm of that event for ${rule.refractorySeconds} s` : '';
  return `per event: an alarm when ${vote} (counted over the windows of one recording, in time order)${refractory}; the alarm's time is the end of the window that completes the vote`;
}

/** A finite non-negative number as the decimal it prints as: value = digits · 10^exponent, exactly. */
function decimal(value: number, what: string): { digits: bigint; exponent: number } {
  const match = Number.isFinite(value) && value >= 0 ? /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value)) : null;
  if (!match) throw new RangeError(`${what} must be a finite number ≥ 0, got ${value}`);
  const fraction = match[2] ?? '';
  return { digits: BigInt(match[1] + fraction), exponent: Number(match[3] ?? 0) - fraction.length };
}

/** ⌈a / b⌉ of non-negative a and positive b. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * THE refractory conversion: the refractory time in samples, ⌈refractorySeconds · sampleRateHz⌉, computed exactly
 * on the decimals the two numbers print as (so 0.07 s at 100 Hz is 7 samples, where 0.07 * 100 in floating point
 * is 7.000000000000001).
 */
export function refractorySamples(refractorySeconds: number, sampleRateHz: number): number {
  const seconds = decimal(refractorySeconds, 'refractorySeconds');
  const rate = decimal(sampleRateHz, 'sampleRateHz');
  const digits = seconds.digits * rate.digits;
  const exponent = seconds.exponent + rate.exponent;
  const samples = exponent >= 0 ? digits * 10n ** BigInt(exponent) : ceilDiv(digits, 10n ** BigInt(-exponent));
  if (samples > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`a refractory time of ${refractorySeconds} s at ${sampleRateHz} Hz is too many samples`);
  return Number(samples);
}

/** The refractory time in windows a hop apart: ⌈refractorySamples / hopSamples⌉ = ⌈refractorySeconds · rate / hop⌉. */
export function refractoryWindows(refractorySeconds: number, sampleRateHz: number, hopSamples: number): number {
  if (!Number.isSafeInteger(hopSamples) || hopSamples < 1) throw new RangeError(`the hop must be a whole number of samples ≥ 1, got ${hopSamples}`);
  return Number(ceilDiv(BigInt(refractorySamples(refractorySeconds, sampleRateHz)), BigInt(hopSamples)));
}

/**
 * Indices (into `positive`, one recording's windows in time order) of the windows that raise an alarm under `rule`.
 * `endSeconds[i]` is when window i ends, on the sample grid of `sampleRateHz` (start sample / rate + window length /
 * rate, as the recording timelines compute it): the rule counts time in whole samples, each end rounded to its sample.
 */
export function alarmWindows(positive: ArrayLike<boolean>, endSeconds: ArrayLike<number>, rule: PostProcessingRule, sampleRateHz: number): number[] {
  const refractory = refractorySamples(rule.refractorySeconds, sampleRateHz);
  return votingAlarms(positive, rule.k, rule.n, (i) => Math.round(endSeconds[i] * sampleRateHz), refractory);
}

/**
 * The same rule on consecutive windows a hop apart, counted in windows as a device can: an alarm when k of the last
 * n windows are positive and at least `refractoryWindows` windows have passed since the last alarm (0: none needed).
 * Equal to `alarmWindows` on windows ending every hop with refractoryWindows = `refractoryWindows(seconds, rate,
 * hop)` (tested in alarms.test.ts).
 */
export function alarmWindowsOnHops(positive: ArrayLike<boolean>, rule: { k: number; n: number; refractoryWindows: number }): number[] {
  return votingAlarms(positive, rule.k, rule.n, (i) => i, rule.refractoryWindows);
}

/** k of the last n positive, and at least `refractory` units of `time(i)` since the last alarm: the windows that alarm. */
function votingAlarms(positive: ArrayLike<boolean>, k: number, n: number, time: (i: number) => number, refractory: number): number[] {
  const alarms: number[] = [];
  let votes = 0;
  let lastAlarm: number | null = null;
  for (let i = 0; i < positive.length; i++) {
    if (positive[i]) votes++;
    if (i >= n && positive[i - n]) votes--;
    const now = time(i);
    if (votes >= k && (lastAlarm === null || now - lastAlarm >= refractory)) {
      alarms.push(i);
      lastAlarm = now;
    }
  }
  return alarms;
}

/** The rule as the firmware runs it: integers only (model.h's TINYML_ALARM_* and manifest.json "postProcessing"). */
export interface DeviceAlarmRule extends PostProcessingRule {
  sampleRateHz: number;
  /** Samples between window starts; null for event-centred windows (no hop: the device passes each gap). */
  hop: number | null;
  /** ⌈refractorySeconds · sampleRateHz⌉ (`refractorySamples`). */
  refractorySamples: number;
  /** ⌈refractorySamples / hop⌉ for windows a hop apart; null without a hop. */
  refractoryWindows: number | null;
}

export function deviceAlarmRule(rule: PostProcessingRule, sampleRateHz: number, hop: number | null): DeviceAlarmRule {
  return {
    k: rule.k,
    n: rule.n,
    refractorySeconds: rule.refractorySeconds,
    sampleRateHz,
    hop,
    refractorySamples: refractorySamples(rule.refractorySeconds, sampleRateHz),
    refractoryWindows: hop === null ? null : refractoryWindows(rule.refractorySeconds, sampleRateHz, hop),
  };
}
