/**
 * Activation ranges from calibration windows. Min/max by default; with `percentile` p (e.g. 99.99) each tensor's
 * range is clipped to its (100 − p)-th and p-th percentiles, so a few outliers do not stretch the int8 steps of
 * everything else. Percentiles are found by bracketing, without keeping the values: each extra pass over the windows
 * histograms the values inside the current bracket of each quantile into 2048 bins and narrows the bracket to the bin
 * holding the quantile; after two passes the bracket is (max − min)/2048² wide and the quantile is interpolated
 * linearly inside it. Deterministic, and memory does not grow with the number of windows.
 */

export interface TensorRange {
  min: number;
  max: number;
}

export interface CalibrationSettings {
  /** In (50, 100]; absent: plain min/max. */
  percentile?: number;
}

const BINS = 2048;
const REFINING_PASSES = 2;

/** Ranges of every tensor `forward` returns for each window (tensor i's range over all windows and elements). */
export function calibrateRanges(
  windows: readonly ArrayLike<number>[],
  forward: (window: ArrayLike<number>) => readonly Float64Array[],
  settings: CalibrationSettings = {},
): TensorRange[] {
  if (windows.length === 0) throw new RangeError('calibration needs at least one window');
  const { percentile } = settings;
  if (percentile !== undefined && !(percentile > 50 && percentile <= 100)) throw new RangeError(`percentile must be in (50, 100], got ${percentile}`);
  let ranges: TensorRange[] = [];
  let counts: number[] = [];
  for (const window of windows) {
    const tensors = forward(window);
    if (ranges.length === 0) {
      ranges = tensors.map(() => ({ min: Infinity, max: -Infinity }));
      counts = tensors.map(() => 0);
    }
    tensors.forEach((values, t) => {
      const range = ranges[t];
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isFinite(v)) throw new RangeError(`calibration: tensor ${t} holds ${v}`);
        if (v < range.min) range.min = v;
        if (v > range.max) range.max = v;
      }
      counts[t] += values.length;
    });
  }
  if (percentile === undefined || percentile === 100) return ranges;

  const brackets = ranges.map((range, t) => {
    const tail = (1 - percentile / 100) * counts[t];
    return [tail, counts[t] - tail].map((rank) => newBracket(range, rank));
  });
  for (let pass = 0; pass < REFINING_PASSES; pass++) {
    const histograms = brackets.map((pair) => pair.map(() => new Float64Array(BINS)));
    for (const window of windows) {
      forward(window).forEach((values, t) => brackets[t].forEach((bracket, b) => addToHistogram(bracket, values, histograms[t][b])));
    }
    brackets.forEach((pair, t) => pair.forEach((bracket, b) => narrow(bracket, histograms[t][b])));
  }
  return brackets.map(([low, high]) => ({ min: quantileIn(low), max: quantileIn(high) }));
}

interface Bracket {
  /** The quantile lies in [low, high) (in [low, high] when includesHigh), with `below` values under `low`. */
  low: number;
  high: number;
  includesHigh: boolean;
  below: number;
  /** Values inside the bracket, once a pass has counted them. */
  inside: number;
  /** How many values lie below the quantile. */
  rank: number;
}

function newBracket(range: TensorRange, rank: number): Bracket {
  return { low: range.min, high: range.max, includesHigh: true, below: 0, inside: 0, rank };
}

function addToHistogram(bracket: Bracket, values: Float64Array, histogram: Float64Array): void {
  const { low, high, includesHigh } = bracket;
  const width = (high - low) / BINS;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < low || v > high || (v === high && !includesHigh)) continue;
    histogram[width > 0 ? Math.min(BINS - 1, Math.floor((v - low) / width)) : 0]++;
  }
}

/** Narrows a bracket to the bin of `histogram` (its values, binned) that holds its rank. */
function narrow(bracket: Bracket, histogram: Float64Array): void {
  const width = (bracket.high - bracket.low) / BINS;
  let below = bracket.below;
  for (let bin = 0; bin < BINS; bin++) {
    const inBin = histogram[bin];
    if (inBin > 0 && below + inBin >= bracket.rank) {
      const last = bin === BINS - 1 || width === 0;
      bracket.low += bin * width;
      if (!last) {
        bracket.high = bracket.low + width;
        bracket.includesHigh = false;
      }
      bracket.below = below;
      bracket.inside = inBin;
      return;
    }
    below += inBin;
  }
}

function quantileIn(bracket: Bracket): number {
  const { low, high, below, inside, rank } = bracket;
  return inside > 0 ? low + (Math.min(inside, Math.max(0, rank - below)) / inside) * (high - low) : low;
}
