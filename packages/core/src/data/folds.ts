import { UserError } from '../common/errors';

export interface FoldSplit {
  name: string;
  train: string[];
  test: string[];
}

/**
 * Subject-grouped folds: leave-one-subject-out (one fold per subject, named after it) or the dataset's named
 * train/test split. A subject is never on both sides of a fold. Under `stratified` the "subjects" are the groups
 * `stratifiedGroups` dealt the recordings into, each held out once.
 */
export function buildFolds(
  scheme: 'loso' | 'split' | 'stratified',
  subjects: readonly string[],
  split?: { name: string; train: readonly string[]; test: readonly string[] },
): FoldSplit[] {
  const present = [...subjects].sort();
  if (scheme === 'loso' || scheme === 'stratified') {
    if (present.length < 2) {
      const what = scheme === 'loso' ? 'leave-one-subject-out needs at least 2 subjects' : 'stratified folds need at least 2 folds';
      throw new UserError(`${what} with windows, found ${present.length}`);
    }
    return present.map((subject) => ({ name: subject, train: present.filter((s) => s !== subject), test: [subject] }));
  }
  if (!split) throw new UserError('folds.scheme "split" needs a named split');
  const train = present.filter((s) => split.train.includes(s));
  const test = present.filter((s) => split.test.includes(s));
  if (train.length === 0 || test.length === 0) {
    throw new UserError(
      `split "${split.name}" leaves ${train.length === 0 ? 'no training' : 'no test'} subject among the ones with windows (${present.join(', ')})`,
    );
  }
  return [{ name: split.name, train, test }];
}

/**
 * Deals recordings into `k` folds class by class, in the order they come: the i-th recording of a label goes to
 * fold (i mod k) + 1, so every fold holds each label's recordings within one of each other. Deterministic, without
 * a seed. The names sort in fold order (fold01 … fold10 when k ≥ 10).
 */
export function stratifiedGroups(k: number): (label: string) => string {
  const seen = new Map<string, number>();
  const digits = String(k).length;
  return (label) => {
    const i = seen.get(label) ?? 0;
    seen.set(label, i + 1);
    return `fold${String((i % k) + 1).padStart(digits, '0')}`;
  };
}

/** The fold scheme in words, for results a reader compares with published figures. */
export function describeFolds(folds: { scheme: 'loso' | 'split' | 'stratified'; k: number | null }, foldNames: readonly string[]): string {
  if (folds.scheme === 'loso') return 'leave-one-subject-out';
  if (folds.scheme === 'split') return `the dataset's split ${foldNames.join(', ')}`;
  return `stratified ${folds.k}-fold over recordings (no subject ids: a fold does not hold out a person)`;
}

/** Class weights w_i = n / (k · n_i) over the classes present (k of them); absent classes get 0. */
export function classWeights(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const k = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? n / (k * c) : 0));
}

/** Largest over smallest count among the classes present; null with fewer than two classes present. */
export function imbalanceRatio(counts: readonly number[]): number | null {
  const present = counts.filter((c) => c > 0);
  if (present.length < 2) return null;
  return Math.max(...present) / Math.min(...present);
}
