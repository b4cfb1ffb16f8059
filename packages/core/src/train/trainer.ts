import { Random } from '../common/random';
import type { ModelIR } from '../model/ir';
import { Adam } from './adam';
import type { FoldData } from './dataset';
import { headTargets, lossWeights, type HeadTargets } from './head-targets';
import { headLoss, predictedClass } from './losses';
import type { Metrics } from './metrics';
import { Network, type NetworkWeights } from './network';
import type { TrainableModel } from './trainable';
import type { Precision } from './wasm/arena';
import { runTraining, score, type TrainOptions, type TrainResult } from './training-loop';

export type { EpochProgress, StopReason, TrainOptions, TrainResult } from './training-loop';

/** Our engine's model: the IR network (float64 or float32, one sample at a time) with Adam. */
export class IrTrainable implements TrainableModel {
  readonly network: Network;
  private readonly adam: Adam;
  /** Where each window is z-scored into: the network's own input buffer when the sizes agree (no copy). */
  private readonly sample: Float64Array | Float32Array;
  private readonly logitGrad: Float64Array;

  constructor(
    ir: ModelIR,
    private readonly data: FoldData,
    private readonly targets: HeadTargets,
    private readonly classWeights: readonly number[],
    learningRate?: number,
    precision: Precision = 'float64',
  ) {
    this.network = new Network(ir, precision);
    checkHead(this.network, targets);
    this.adam = new Adam(this.network.params, { learningRate });
    this.sample = data.windowSize === this.network.inputSize ? this.network.inputBuffer : new Float64Array(data.windowSize);
    this.logitGrad = new Float64Array(this.network.outputShape[1]);
  }

  trainBatch(order: readonly number[], from: number, to: number): number {
    const { network, data, targets, sample, logitGrad, classWeights } = this;
    network.zeroGrads();
    let loss = 0;
    for (let i = from; i < to; i++) {
      const window = order[i];
      data.fill(window, sample);
      const logits = network.forward(sample, true);
      const target = targets.target(data.label(window));
      loss += headLoss(targets.head, logits, target, classWeights[target], logitGrad);
      network.backward(logitGrad);
    }
    this.adam.step(network.grads, 1 / (to - from));
    return loss;
  }

  predict(windows: Uint32Array): { targets: Uint8Array; predictions: Uint8Array; loss: number } {
    const { network, data, targets, sample, logitGrad, classWeights } = this;
    const truth = new Uint8Array(windows.length);
    const predictions = new Uint8Array(windows.length);
    let loss = 0;
    for (let i = 0; i < windows.length; i++) {
      data.fill(windows[i], sample);
      const logits = network.forward(sample, false);
      const target = targets.target(data.label(windows[i]));
      loss += headLoss(targets.head, logits, target, classWeights[target], logitGrad);
      truth[i] = target;
      predictions[i] = predictedClass(targets.head, logits);
    }
    return { targets: truth, predictions, loss };
  }

  exportWeights(): NetworkWeights {
    return this.network.exportWeights();
  }

  importWeights(weights: NetworkWeights): void {
    this.network.importWeights(weights);
  }

  applyMasks(masks: readonly (Uint8Array | null)[]): void {
    masks.forEach((mask, layer) => {
      if (!mask) return;
      const p = this.network.params[layer];
      for (let i = 0; i < p.length; i++) if (mask[i] === 0) p[i] = 0;
    });
  }
}

/**
 * Trains `ir` on a fold with our engine: Keras-style init from the seed, the shared training loop (seeded shuffle,
 * mini-batches, Adam, early stopping on validation positive-class F1), in `options.precision`. Single-threaded and
 * deterministic: the same inputs and precision give bit-identical weights, on any machine with IEEE arithmetic.
 */
export function trainModel(ir: ModelIR, data: FoldData, options: TrainOptions): TrainResult {
  const targets = headTargets(ir, data, options.positiveClass);
  const weights = lossWeights(data, targets, options.classWeighting ?? true);
  const model = new IrTrainable(ir, data, targets, weights, options.learningRate, options.precision);
  if (options.initialWeights) model.importWeights(options.initialWeights);
  else model.network.init(Random.derive(options.seed, 0).uint32());
  return runTraining(model, data, targets, weights, options);
}

/** Scores saved weights on a list of windows (unweighted loss; no training). */
export function evaluateModel(
  ir: ModelIR,
  weights: NetworkWeights,
  data: FoldData,
  windows: Uint32Array,
  positiveClass?: number,
  precision: Precision = 'float64',
): Metrics {
  const targets = headTargets(ir, data, positiveClass);
  const model = new IrTrainable(ir, data, targets, new Array<number>(targets.classes).fill(1), undefined, precision);
  model.importWeights(weights);
  return score(model, windows, targets).metrics;
}

function checkHead(network: Network, targets: HeadTargets): void {
  const [steps, units] = network.outputShape;
  const expected = targets.head === 'sigmoid' ? 1 : targets.classes;
  if (steps !== 1 || units !== expected) {
    throw new Error(`a ${targets.head} head over ${targets.classes} classes needs [1, ${expected}] logits; the model ends in [${steps}, ${units}]`);
  }
}
