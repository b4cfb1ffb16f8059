import { Adam } from '../adam';
import type { FoldData } from '../dataset';
import { annealedLambda, evidentialLoss, type EvidenceRegularizer } from '../evidential/loss';
import type { TrainableModel } from '../trainable';
import type { CascadeNetwork, CascadeWeights } from './cascade-network';
import type { EventSet } from './events';
import type { Floats } from '../wasm/arena';

export interface EvidentialTrainingOptions {
  /** Train prediction k's segment and head with earlier segments frozen (UR2M's stage-wise), or every exit at once. */
  stage: number | 'joint';
  lambda: number;
  annealEpochs: number;
  regularizer: EvidenceRegularizer;
  learningRate?: number;
}

/**
 * A cascade under the evidential loss, in the shape the shared training loop drives. Stage k: the loss of
 * prediction k only, gradients into segment k and head k (the earlier segments are frozen and only run forward).
 * Joint: the sum of every prediction's loss, gradients everywhere. Scoring (for early stopping) uses the stage's
 * prediction, or the deepest one when joint, as an (E + 1)-class decision: the event with the highest p among those
 * with p > 0.5, else "no event".
 */
export class EvidentialTrainable implements TrainableModel<CascadeWeights> {
  private readonly adam: Adam;
  private readonly grads: Floats[];
  private readonly sample: Float64Array;
  private readonly targets: Uint8Array;
  private readonly predictionGrads: (Float64Array | null)[];
  private readonly scored: number;
  private lambda: number;

  constructor(
    readonly network: CascadeNetwork,
    private readonly data: FoldData,
    private readonly events: EventSet,
    private readonly weights: readonly [number, number][],
    private readonly options: EvidentialTrainingOptions,
  ) {
    const last = network.predictions - 1;
    const trained = options.stage === 'joint' ? network.allParams() : network.stageParams(options.stage);
    this.adam = new Adam(trained.params, { learningRate: options.learningRate });
    this.grads = trained.grads;
    this.sample = new Float64Array(network.inputSize);
    this.targets = new Uint8Array(events.names.length);
    this.predictionGrads = Array.from({ length: network.predictions }, (_, k) =>
      options.stage === 'joint' || options.stage === k ? new Float64Array(2 * events.names.length) : null,
    );
    this.scored = options.stage === 'joint' ? last : options.stage;
    this.lambda = annealedLambda(options.lambda, 1, options.annealEpochs);
  }

  startEpoch(epoch: number): void {
    this.lambda = annealedLambda(this.options.lambda, epoch, this.options.annealEpochs);
  }

  trainBatch(order: readonly number[], from: number, to: number): number {
    const { network, data, sample, predictionGrads } = this;
    const upTo = this.options.stage === 'joint' ? network.predictions - 1 : this.options.stage;
    const firstTrainable = this.options.stage === 'joint' ? 0 : this.options.stage;
    network.zeroGrads();
    let loss = 0;
    for (let i = from; i < to; i++) {
      const window = order[i];
      data.fill(window, sample);
      network.forward(sample, upTo, true, this.options.stage !== 'joint');
      this.setTargets(data.label(window));
      predictionGrads.forEach((grad, k) => {
        if (grad) loss += evidentialLoss(network.prediction(k), this.targets, this.weights, this.lambda, grad, this.options.regularizer);
      });
      network.backward(predictionGrads, firstTrainable);
    }
    this.adam.step(this.grads, 1 / (to - from));
    return loss;
  }

  predict(windows: Uint32Array): { targets: Uint8Array; predictions: Uint8Array; loss: number } {
    const { network, data, sample } = this;
    const truth = new Uint8Array(windows.length);
    const predictions = new Uint8Array(windows.length);
    const scratch = new Float64Array(2 * this.events.names.length);
    let loss = 0;
    for (let i = 0; i < windows.length; i++) {
      data.fill(windows[i], sample);
      network.forward(sample, this.scored, false, true);
      const label = data.label(windows[i]);
      this.setTargets(label);
      const evidence = network.prediction(this.scored);
      loss += evidentialLoss(evidence, this.targets, this.weights, this.lambda, scratch, this.options.regularizer);
      truth[i] = this.events.eventOfClass[label] + 1;
      predictions[i] = evidentialClass(evidence);
    }
    return { targets: truth, predictions, loss };
  }

  exportWeights(): CascadeWeights {
    return this.network.exportWeights();
  }

  importWeights(weights: CascadeWeights): void {
    this.network.importWeights(weights);
  }

  applyMasks(): void {
    throw new Error('pruning masks are not supported for cascades');
  }

  private setTargets(label: number): void {
    const event = this.events.eventOfClass[label];
    this.targets.fill(0);
    if (event >= 0) this.targets[event] = 1;
  }
}

/**
 * The (E + 1)-class decision of evidence [e⁺_0, e⁻_0, ...]: among events with p > 0.5 (e⁺ > e⁻) the one with the
 * highest p (the first on ties) as class 1 + j, else 0. Comparing p = (e⁺ + 1)/(e⁺ + e⁻ + 2) exactly, as the
 * firmware's integer version will.
 */
export function evidentialClass(evidence: ArrayLike<number>): number {
  let best = 0;
  let bestP = 0.5;
  for (let j = 0; 2 * j < evidence.length; j++) {
    const plus = evidence[2 * j];
    const minus = evidence[2 * j + 1];
    if (plus <= minus) continue;
    const p = (plus + 1) / (plus + minus + 2);
    if (p > bestP) {
      best = j + 1;
      bestP = p;
    }
  }
  return best;
}
