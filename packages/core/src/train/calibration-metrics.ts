/**
 * Calibration of probabilistic predictions, one binary event at a time (UR2M's Brier, NLL and ECE): `p[i]` is the
 * predicted probability that window i is the event, `y[i]` 1 when it is.
 */

/** Mean squared error of the probability: mean (p − y)². */
export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += (p[i] - y[i]) ** 2;
  return p.length > 0 ? sum / p.length : 0;
}

/** Probabilities are clipped to [ε, 1 − ε] so one overconfident softmax cannot make the mean infinite. */
export const NLL_EPSILON = 1e-15;

/** Mean negative log-likelihood of the outcomes: −mean [y ln p + (1 − y) ln(1 − p)]. */
export function binaryNll(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - NLL_EPSILON, Math.max(NLL_EPSILON, y[i] === 1 ? p[i] : 1 - p[i]));
    sum -= Math.log(q);
  }
  return p.length > 0 ? sum / p.length : 0;
}

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin (null when empty). */
  meanP: number | null;
  /** Fraction of the bin's windows that are the event (null when empty). */
  frequency: number | null;
}

/**
 * Expected calibration error over `bins` equal-width bins of p in [0, 1] (bin ⌊p·bins⌋, p = 1 in the last):
 * Σ_b (n_b / N) · |mean p_b − frequency_b|, with the reliability diagram's bins. Binning by the event's probability
 * (not by top-label confidence) keeps the one-vs-all events separate and treats softmax and evidential models alike.
 */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 15): { ece: number; bins: ReliabilityBin[] } {
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    count[b]++;
    sumP[b] += p[i];
    positives[b] += y[i];
  }
  let ece = 0;
  const table = count.map((n, b): ReliabilityBin => {
    const meanP = n > 0 ? sumP[b] / n : null;
    const frequency = n > 0 ? positives[b] / n : null;
    if (n > 0) ece += (n / p.length) * Math.abs((meanP as number) - (frequency as number));
    return { lower: b / bins, upper: (b + 1) / bins, count: n, meanP, frequency };
  });
  return { ece, bins: table };
}

export interface CoveragePoint {
  coverage: number;
  windows: number;
  accuracy: number;
}

/**
 * Accuracy on the most certain fraction of windows, for each coverage c: the ⌈c·N⌉ windows of lowest uncertainty
 * (ties by window order). A useful uncertainty makes the curve fall as coverage grows.
 */
export function accuracyCoverage(uncertainty: ArrayLike<number>, correct: ArrayLike<number>, coverages: readonly number[]): CoveragePoint[] {
  const order = Array.from({ length: uncertainty.length }, (_, i) => i).sort((a, b) => uncertainty[a] - uncertainty[b] || a - b);
  const prefix = new Array<number>(order.length + 1).fill(0);
  order.forEach((w, i) => (prefix[i + 1] = prefix[i] + (correct[w] ? 1 : 0)));
  return coverages.map((coverage) => {
    const windows = Math.min(order.length, Math.ceil(coverage * order.length - 1e-9));
    return { coverage, windows, accuracy: windows > 0 ? prefix[windows] / windows : 0 };
  });
}
