/**
 * How one figure spreads over folds (leave-one-subject-out: over held-out subjects). Folds without the figure
 * (null: e.g. sensitivity of a subject without falls) are left out and counted.
 */
export interface FoldSpread {
  /** Folds that have the figure. */
  folds: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null for fewer than two folds. */
  sd: number | null;
  median: number | null;
  /** The fold with the worst value (lowest, or highest where higher is worse) and its value. */
  worst: { fold: string; value: number } | null;
  best: { fold: string; value: number } | null;
}

export function foldSpread(values: readonly { fold: string; value: number | null }[], higherIsBetter = true): FoldSpread {
  const present = values.filter((v): v is { fold: string; value: number } => v.value !== null && Number.isFinite(v.value));
  const n = present.length;
  if (n === 0) return { folds: 0, mean: null, sd: null, median: null, worst: null, best: null };
  const mean = present.reduce((sum, v) => sum + v.value, 0) / n;
  const sd = n > 1 ? Math.sqrt(present.reduce((sum, v) => sum + (v.value - mean) ** 2, 0) / (n - 1)) : null;
  const sorted = [...present].sort((a, b) => a.value - b.value || a.fold.localeCompare(b.fold));
  const median = n % 2 === 1 ? sorted[(n - 1) / 2].value : (sorted[n / 2 - 1].value + sorted[n / 2].value) / 2;
  const low = sorted[0];
  const high = [...present].sort((a, b) => b.value - a.value || a.fold.localeCompare(b.fold))[0];
  return { folds: n, mean, sd, median, worst: higherIsBetter ? low : high, best: higherIsBetter ? high : low };
}

/** "0.812 ± 0.104" (or "–"), for summaries. */
export function formatSpread(spread: FoldSpread, digits = 3): string {
  if (spread.mean === null) return '–';
  return spread.sd === null ? spread.mean.toFixed(digits) : `${spread.mean.toFixed(digits)} ± ${spread.sd.toFixed(digits)}`;
}
