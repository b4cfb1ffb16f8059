import type * as tfjs from '@tensorflow/tfjs';
import type { FoldData } from '../../src/train/dataset';
import type { HeadTargets } from '../../src/train/head-targets';
import type { NetworkWeights } from '../../src/train/network';
import type { TrainableModel } from '../../src/train/trainable';
import type { Tf } from './load';
import type { TfjsModel } from './model';

/** Windows per forward pass when scoring (bounds the tensor memory, not the result). */
const PREDICT_CHUNK = 512;

/**
 * The tfjs engine's model: the IR as tfjs ops, trained with tf.train.adam (Keras defaults) on the same batches the
 * IR engine would see. Autodiff and float32 arithmetic are the only differences from our engine.
 */
export class TfjsTrainable implements TrainableModel {
  private readonly optimizer: tfjs.Optimizer;
  private readonly variableList: tfjs.Variable[];

  constructor(
    private readonly tf: Tf,
    private readonly model: TfjsModel,
    private readonly data: FoldData,
    private readonly targets: HeadTargets,
    private readonly classWeights: readonly number[],
    learningRate = 1e-3,
  ) {
    this.optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
    this.variableList = model.variables.flat();
  }

  trainBatch(order: readonly number[], from: number, to: number): number {
    const { tf } = this;
    const batch = this.batch(order.slice(from, to));
    // minimize returns the cost when asked to (returnCost true), never null.
    const cost = tf.tidy(
      () => this.optimizer.minimize(() => tf.mean(this.sampleLosses(this.model.apply(batch.x), batch)), true, this.variableList) as tfjs.Scalar,
    );
    const mean = cost.dataSync()[0];
    cost.dispose();
    tf.dispose([batch.x, batch.y, batch.w]);
    return mean * (to - from);
  }

  predict(windows: Uint32Array): { targets: Uint8Array; predictions: Uint8Array; loss: number } {
    const { tf } = this;
    const truth = new Uint8Array(windows.length);
    const predictions = new Uint8Array(windows.length);
    let loss = 0;
    for (let from = 0; from < windows.length; from += PREDICT_CHUNK) {
      const chunk = Array.from(windows.subarray(from, Math.min(from + PREDICT_CHUNK, windows.length)));
      const batch = this.batch(chunk);
      const [logits, losses] = tf.tidy(() => {
        const out = this.model.apply(batch.x);
        return [out.dataSync(), this.sampleLosses(out, batch).dataSync()];
      });
      const units = logits.length / chunk.length;
      chunk.forEach((window, i) => {
        truth[from + i] = this.targets.target(this.data.label(window));
        predictions[from + i] = units === 1 ? +(logits[i] > 0) : argmax(logits, i * units, units);
        loss += losses[i];
      });
      tf.dispose([batch.x, batch.y, batch.w]);
    }
    return { targets: truth, predictions, loss };
  }

  exportWeights(): NetworkWeights {
    return this.model.exportWeights();
  }

  importWeights(weights: NetworkWeights): void {
    this.model.importWeights(weights);
  }

  applyMasks(masks: readonly (Uint8Array | null)[]): void {
    const { tf } = this;
    masks.forEach((mask, layer) => {
      if (!mask) return;
      let offset = 0;
      for (const v of this.model.variables[layer]) {
        const part = Float32Array.from(mask.subarray(offset, offset + v.size));
        offset += v.size;
        tf.tidy(() => v.assign(tf.mul(v, tf.tensor(part, v.shape))));
      }
    });
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }

  /** The windows as one [n, T, C] float32 tensor (normalised like the IR engine's), with head targets and weights. */
  private batch(windows: readonly number[]): { x: tfjs.Tensor3D; y: tfjs.Tensor1D; w: tfjs.Tensor1D } {
    const { data, targets } = this;
    const size = data.windowSize;
    const values = new Float32Array(windows.length * size);
    const sample = new Float64Array(size);
    const y = new Int32Array(windows.length);
    const w = new Float32Array(windows.length);
    windows.forEach((window, i) => {
      data.fill(window, sample);
      values.set(sample, i * size);
      y[i] = targets.target(data.label(window));
      w[i] = this.classWeights[y[i]];
    });
    const tf = this.tf;
    return { x: tf.tensor3d(values, [windows.length, data.windowLength, data.channels]), y: tf.tensor1d(y, 'int32'), w: tf.tensor1d(w) };
  }

  /** Per-window weighted loss: stable BCE on the logit (sigmoid) or softmax cross-entropy. */
  private sampleLosses(logits: tfjs.Tensor2D, batch: { y: tfjs.Tensor1D; w: tfjs.Tensor1D }): tfjs.Tensor1D {
    const { tf } = this;
    if (this.targets.head === 'sigmoid') {
      const x = tf.reshape<tfjs.Rank.R1>(logits, [-1]);
      const y = tf.cast(batch.y, 'float32');
      const bce = tf.add(tf.sub(tf.relu(x), tf.mul(x, y)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
      return tf.mul(bce, batch.w);
    }
    const picked = tf.sum(tf.mul(tf.oneHot(batch.y, this.targets.classes), tf.logSoftmax(logits)), 1);
    return tf.mul<tfjs.Tensor1D>(tf.neg(picked), batch.w);
  }
}

function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}
