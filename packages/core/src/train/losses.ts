import type { ModelIR } from '../model/ir';

export type Head = ModelIR['head'];

/**
 * Binary cross-entropy on a logit x for target y ∈ {0, 1}, in the overflow-free form TensorFlow uses
 * (sigmoid_cross_entropy_with_logits): max(x, 0) − x·y + log(1 + e^−|x|). Its derivative is σ(x) − y.
 */
export function binaryCrossEntropyWithLogit(x: number, y: number): number {
  return Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
}

export function sigmoid(x: number): number {
  // Two branches so exp never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * One sample's loss for the model's head, times `weight` (its class weight, or 1), and its gradient w.r.t. the
 * logits written into `logitGrad`. `target` is the head's class: for `sigmoid` 1 (positive) or 0, for `softmax`
 * the class index.
 */
export function headLoss(head: Head, logits: ArrayLike<number>, target: number, weight: number, logitGrad: Float64Array): number {
  if (head === 'sigmoid') {
    const x = logits[0];
    logitGrad[0] = weight * (sigmoid(x) - target);
    return weight * binaryCrossEntropyWithLogit(x, target);
  }
  return softmaxCrossEntropy(logits, target, weight, logitGrad);
}

/** Weighted softmax cross-entropy −w·log softmax(x)_target, via log-sum-exp shifted by max(x); gradient w·(p − onehot). */
export function softmaxCrossEntropy(logits: ArrayLike<number>, target: number, weight: number, logitGrad: Float64Array): number {
  const k = logits.length;
  let max = logits[0];
  for (let i = 1; i < k; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < k; i++) sum += Math.exp(logits[i] - max);
  const logSum = Math.log(sum) + max;
  for (let i = 0; i < k; i++) logitGrad[i] = weight * (Math.exp(logits[i] - logSum) - (i === target ? 1 : 0));
  return weight * (logSum - logits[target]);
}

/** The head's predicted class: sigmoid logit > 0 (p > 0.5) → 1, else 0; softmax → argmax (first on ties). */
export function predictedClass(head: Head, logits: ArrayLike<number>): number {
  if (head === 'sigmoid') return logits[0] > 0 ? 1 : 0;
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}
