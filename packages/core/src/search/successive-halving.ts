/**
 * Successive halving (Jamieson & Talwalkar): every candidate gets a small budget, the best 1/η move up a rung with
 * η times the budget, until one rung holds at most η candidates or the budget reaches its maximum. Budgets here are
 * epochs; the lower rungs also train on a subsample of the training windows (multi-fidelity).
 */
export interface Rung {
  index: number;
  epochs: number;
  /** Fraction of the training windows used at this rung (1 = all). */
  trainFraction: number;
  /** How many candidates enter this rung. */
  candidates: number;
}

export function halvingSchedule(candidates: number, maxEpochs: number, eta = 3): Rung[] {
  if (candidates < 1) return [];
  const rungCount = Math.max(1, Math.ceil(Math.log(candidates) / Math.log(eta) - 1e-9));
  const rungs: Rung[] = [];
  let entering = candidates;
  for (let index = 0; index < rungCount; index++) {
    const shrink = eta ** (rungCount - 1 - index);
    rungs.push({
      index,
      epochs: Math.max(1, Math.round(maxEpochs / shrink)),
      trainFraction: Math.min(1, 1 / Math.sqrt(shrink)),
      candidates: entering,
    });
    entering = Math.max(1, Math.floor(entering / eta));
  }
  return rungs;
}

/**
 * The candidates promoted from a rung: the top ⌊n/η⌋ (at least one) by score, then by lower `tieBreak` (validation
 * loss: after a short rung many candidates share an F1 of 0), then by id for determinism.
 */
export function promote<T extends { id: string; score: number; tieBreak?: number }>(results: readonly T[], eta = 3): T[] {
  const keep = Math.max(1, Math.floor(results.length / eta));
  return [...results].sort((a, b) => b.score - a.score || (a.tieBreak ?? 0) - (b.tieBreak ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, keep);
}
