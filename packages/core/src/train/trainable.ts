import type { NetworkWeights } from './network';

/**
 * What the training loop needs from an engine's model: one optimiser step on a mini-batch, forward passes for
 * scoring, and weights in and out (the IR's flat per-layer layout, so engines are interchangeable).
 */
export interface TrainableModel<W = NetworkWeights> {
  /**
   * One optimiser step on windows order[from..to): gradients of the class-weighted loss averaged over the batch.
   * Returns the batch's summed (weighted) loss.
   */
  trainBatch(order: readonly number[], from: number, to: number): number;
  /** Head-class targets, predictions and summed weighted loss of `windows` under the current weights. */
  predict(windows: Uint32Array): { targets: Uint8Array; predictions: Uint8Array; loss: number };
  exportWeights(): W;
  importWeights(weights: W): void;
  /** Called before each epoch's first batch (1-based), for schedules such as the evidential loss's λ annealing. */
  startEpoch?(epoch: number): void;
  /** Sets masked-out parameters to zero (pruned-model fine-tuning). */
  applyMasks(masks: readonly (Uint8Array | null)[]): void;
  dispose?(): void;
}
