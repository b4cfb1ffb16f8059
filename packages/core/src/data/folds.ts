import { UserError } from '../common/errors';

export interface FoldSplit {
  name: string;
  train: string[];
  test: string[];
}

/**
 * Subject-grouped folds: leave-one-subject-out (one fold per subject, named after it) or the dataset's named
 * train/test split. A subject is never on both sides of a fold.
 */
export function buildFolds(
  scheme: 'loso' | 'split',
  subjects: readonly string[],
  split?: { name: string; train: readonly string[]; test: readonly string[] },
): FoldSplit[] {
  const present = [...subjects].sort();
  if (scheme === 'loso') {
    if (present.length < 2) {
      throw new UserError(`leave-one-subject-out needs at least 2 subjects with windows, found ${present.length}`);
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
