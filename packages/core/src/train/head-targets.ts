import { classWeights as classWeightsOf } from '../data/folds';
import type { ModelIR } from '../model/ir';
import type { FoldData } from './dataset';
import type { Head } from './losses';

/** Maps the store's class labels to the head's classes: one-vs-rest for sigmoid, unchanged for softmax. */
export interface HeadTargets {
  head: Head;
  /** Classes the head distinguishes (2 for sigmoid). */
  classes: number;
  /** The head class whose F1 selects models: 1 for sigmoid. */
  positiveClass: number;
  target(label: number): number;
}

/**
 * `positiveClass` is a store class index. Default: 1 for a sigmoid head (the IR's convention), the fold's minority
 * class for softmax.
 */
export function headTargets(ir: ModelIR, data: FoldData, positiveClass?: number): HeadTargets {
  if (ir.head === 'sigmoid') {
    const positive = positiveClass ?? 1;
    return { head: 'sigmoid', classes: 2, positiveClass: 1, target: (label) => (label === positive ? 1 : 0) };
  }
  return { head: 'softmax', classes: data.classes.length, positiveClass: positiveClass ?? data.minorityClass, target: (label) => label };
}

/** Loss weight per head class over the training windows: w_i = n / (k·n_i), or all ones when switched off. */
export function lossWeights(data: FoldData, targets: HeadTargets, weighted: boolean): number[] {
  const counts = new Array<number>(targets.classes).fill(0);
  data.counts(data.train).forEach((n, label) => (counts[targets.target(label)] += n));
  return weighted ? classWeightsOf(counts) : counts.map(() => 1);
}
