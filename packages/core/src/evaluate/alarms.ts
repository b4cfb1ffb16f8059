/**
 * The decision post-processing a deployed detector runs on its stream of per-window decisions, declared in the
 * spec (`evaluate.postProcessing`) so the evaluation and the firmware apply the same rule.
 *
 * For each event separately: window i raises an alarm when at least `k` of the last `n` windows of the recording
 * (windows i − n + 1 … i, fewer at the recording's start) were decided as that event, and no alarm of that event was
 * raised in the `refractorySeconds` before window i ends (an alarm exactly `refractorySeconds` after the previous
 * one is allowed). The alarm's time is the end of window i: the moment the device has the window.
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

/**
 * Indices (into `positive`, one recording's windows in time order) of the windows that raise an alarm under `rule`.
 * `endSeconds[i]` is when window i ends.
 */
export function alarmWindows(positive: ArrayLike<boolean>, endSeconds: ArrayLike<number>, rule: PostProcessingRule): number[] {
  const alarms: number[] = [];
  let votes = 0;
  let lastAlarm = -Infinity;
  for (let i = 0; i < positive.length; i++) {
    if (positive[i]) votes++;
    if (i >= rule.n && positive[i - rule.n]) votes--;
    if (votes >= rule.k && endSeconds[i] - lastAlarm >= rule.refractorySeconds) {
      alarms.push(i);
      lastAlarm = endSeconds[i];
    }
  }
  return alarms;
}
