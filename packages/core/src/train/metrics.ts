export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** True windows of the class. */
  support: number;
}

export interface Metrics {
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClass: ClassMetrics[];
  macroF1: number;
  accuracy: number;
  /** The class selection and early stopping care about (the minority / fall class). */
  positiveClass: number;
  positiveF1: number;
  count: number;
}

/** Counts of (true, predicted) pairs over `classes` classes. */
export function confusionMatrix(targets: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < targets.length; i++) confusion[targets[i]][predictions[i]]++;
  return confusion;
}

/** Per-class precision, recall and F1 (0 where undefined, like scikit-learn's zero_division=0). */
export function classMetrics(confusion: readonly (readonly number[])[], c: number): ClassMetrics {
  const truePositive = confusion[c][c];
  let predicted = 0;
  let support = 0;
  for (let i = 0; i < confusion.length; i++) {
    predicted += confusion[i][c];
    support += confusion[c][i];
  }
  const precision = predicted > 0 ? truePositive / predicted : 0;
  const recall = support > 0 ? truePositive / support : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support };
}

/** F1 of class `c` alone (the fall class in MicroNAS). */
export function positiveF1(confusion: readonly (readonly number[])[], c: number): number {
  return classMetrics(confusion, c).f1;
}

export function metricsFromConfusion(confusion: number[][], positiveClass: number): Metrics {
  const perClass = confusion.map((_, c) => classMetrics(confusion, c));
  let correct = 0;
  let count = 0;
  confusion.forEach((row, i) => {
    correct += row[i];
    for (const n of row) count += n;
  });
  return {
    confusion,
    perClass,
    macroF1: perClass.reduce((s, m) => s + m.f1, 0) / perClass.length,
    accuracy: count > 0 ? correct / count : 0,
    positiveClass,
    positiveF1: perClass[positiveClass]?.f1 ?? 0,
    count,
  };
}

/**
 * Area under the ROC curve of a score that should be higher for `positives` than for `negatives`: the probability
 * that a random positive scores above a random negative, ties counting one half (Mann–Whitney U / (n⁺·n⁻)).
 * null when either side is empty.
 */
export function auroc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number | null {
  if (positives.length === 0 || negatives.length === 0) return null;
  const all = [...Array.from(positives, (v) => ({ v, positive: true })), ...Array.from(negatives, (v) => ({ v, positive: false }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const midRank = (i + 1 + j) / 2; // ranks i + 1 … j share their mean
    for (let k = i; k < j; k++) if (all[k].positive) rankSum += midRank;
    i = j;
  }
  const n = positives.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * negatives.length);
}
