import { Random } from '../common/random';
import type { FoldData } from './dataset';
import type { HeadTargets } from './head-targets';
import { confusionMatrix, metricsFromConfusion, type Metrics } from './metrics';
import type { NetworkWeights } from './network';
import type { TrainableModel } from './trainable';
import type { Precision } from './wasm/arena';

export interface TrainOptions {
  /** Initial weights and shuffles: same seed (and data, and engine) → bit-identical weights. */
  seed: number;
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  /** Epochs without a better validation positive-class F1 before stopping (best weights restored). Default 5. */
  patience?: number;
  /** Weight each sample's loss by w_i = n / (k·n_i) over the training windows; false for the unweighted ablation. */
  classWeighting?: boolean;
  /**
   * The store class whose F1 selects models. Default: 1 for a sigmoid head (the IR's positive class), the fold's
   * minority class for softmax.
   */
  positiveClass?: number;
  /**
   * What early stopping and model selection maximise on validation: the F1 of `positiveClass` (MicroNAS: the fall
   * class) or the macro-F1 over classes (multi-class heads, where the rarest class can be a handful of windows).
   */
  monitor?: Monitor;
  /**
   * Element type the IR engine computes in (weights, activations, gradients). Default float64. float32 runs the
   * f32x4 kernels, about twice as fast; deterministic the same way. Initial weights are drawn in float64 and rounded.
   */
  precision?: Precision;
  /** Start from these weights instead of a fresh init (fine-tuning). */
  initialWeights?: NetworkWeights;
  /** Per layer, entries 0 pin that parameter to zero after every step (fine-tuning a pruned model). */
  masks?: readonly (Uint8Array | null)[];
  /** Also score the fold's test subjects with the restored best weights. Default true. */
  evaluateTest?: boolean;
  onEpoch?: (progress: EpochProgress) => void;
  /** Checked between batches; the best weights so far are kept. */
  signal?: AbortSignal;
  /** Date.now() milliseconds after which training stops between batches. */
  deadline?: number;
}

/**
 * What early stopping maximises on validation: the F1 of `positiveClass`, the macro-F1 over all classes, or the mean
 * F1 of classes 1.. (the events of an event set, class 0 being "no event").
 */
export type Monitor = 'positive-f1' | 'macro-f1' | 'event-f1';

/** The monitored figure of a set of metrics. */
export function monitoredF1(metrics: Metrics, monitor: Monitor | undefined): number {
  if (monitor === 'macro-f1') return metrics.macroF1;
  if (monitor === 'event-f1') {
    const events = metrics.perClass.slice(1);
    return events.reduce((sum, m) => sum + m.f1, 0) / Math.max(1, events.length);
  }
  return metrics.positiveF1;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Mean (class-weighted) training loss over the epoch's windows. */
  loss: number;
  validationLoss: number | null;
  validationF1: number | null;
  /** What early stopping compares (options.monitor of the validation metrics). */
  validationScore: number | null;
  /** Training windows per second this epoch (forward + backward + update; validation excluded). */
  samplesPerSecond: number;
  /** These weights are the best so far (and are what the result keeps unless a later epoch beats them). */
  improved: boolean;
}

export type StopReason = 'completed' | 'early-stopping' | 'aborted' | 'deadline';

export interface TrainResult<W = NetworkWeights> {
  weights: W;
  history: EpochProgress[];
  /** 1-based epoch whose weights were kept; 0 when stopped before the first epoch ended (weights as they were). */
  bestEpoch: number;
  stopReason: StopReason;
  validation: Metrics | null;
  test: Metrics | null;
  /** Over every training batch run. */
  samplesPerSecond: number;
  trainWindows: number;
  /** Loss weight per head class (all 1 with classWeighting off). */
  classWeights: number[];
  /** Head class whose F1 is reported as positiveF1 (1 for sigmoid). */
  positiveClass: number;
  seconds: number;
}

/**
 * The engine-independent training loop: a seeded shuffle per epoch, mini-batches, early stopping on the validation
 * positive-class F1 (ties broken by lower validation loss, so a plateau at F1 0 still moves) with the best weights
 * restored, and progress per epoch. Without validation windows every epoch counts as an improvement.
 */
export function runTraining<W = NetworkWeights>(
  model: TrainableModel<W>,
  data: FoldData,
  targets: HeadTargets,
  classWeights: number[],
  options: TrainOptions,
): TrainResult<W> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 128;
  const patience = options.patience ?? 5;
  const shuffler = Random.derive(options.seed, 1);
  const order = Array.from(data.train);
  const history: EpochProgress[] = [];
  let best: { epoch: number; f1: number; loss: number; weights: W } | null = null;
  let stopReason: StopReason = 'completed';
  let trainSeconds = 0;
  let trainSamples = 0;
  const interrupted = (): StopReason | null =>
    options.signal?.aborted ? 'aborted' : options.deadline !== undefined && Date.now() >= options.deadline ? 'deadline' : null;
  if (options.masks) model.applyMasks(options.masks);

  epochs: for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffler.shuffle(order);
    model.startEpoch?.(epoch);
    const epochStart = performance.now();
    let lossSum = 0;
    let seen = 0;
    for (let from = 0; from < order.length; from += batchSize) {
      const reason = interrupted();
      if (reason) {
        stopReason = reason;
        trainSeconds += (performance.now() - epochStart) / 1000;
        trainSamples += seen;
        break epochs;
      }
      const to = Math.min(from + batchSize, order.length);
      lossSum += model.trainBatch(order, from, to);
      if (options.masks) model.applyMasks(options.masks);
      seen += to - from;
    }
    const epochSeconds = (performance.now() - epochStart) / 1000;
    trainSeconds += epochSeconds;
    trainSamples += seen;

    const scored = data.validation.length > 0 ? score(model, data.validation, targets) : null;
    const monitored = scored === null ? 0 : monitoredF1(scored.metrics, options.monitor);
    const improved = scored === null || best === null || monitored > best.f1 || (monitored === best.f1 && scored.loss < best.loss);
    if (improved) best = { epoch, f1: monitored, loss: scored?.loss ?? 0, weights: model.exportWeights() };
    const progress: EpochProgress = {
      epoch,
      epochs: options.epochs,
      loss: seen > 0 ? lossSum / seen : 0,
      validationLoss: scored?.loss ?? null,
      validationF1: scored?.metrics.positiveF1 ?? null,
      validationScore: scored === null ? null : monitored,
      samplesPerSecond: epochSeconds > 0 ? seen / epochSeconds : 0,
      improved,
    };
    history.push(progress);
    options.onEpoch?.(progress);
    if (best && epoch - best.epoch >= patience) {
      stopReason = 'early-stopping';
      break;
    }
  }

  if (best) model.importWeights(best.weights);
  const validation = data.validation.length > 0 ? score(model, data.validation, targets).metrics : null;
  const test = (options.evaluateTest ?? true) && data.test.length > 0 ? score(model, data.test, targets).metrics : null;
  return {
    weights: best?.weights ?? model.exportWeights(),
    history,
    bestEpoch: best?.epoch ?? 0,
    stopReason,
    validation,
    test,
    samplesPerSecond: trainSeconds > 0 ? trainSamples / trainSeconds : 0,
    trainWindows: data.train.length,
    classWeights,
    positiveClass: targets.positiveClass,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Metrics and mean (weighted) loss of the model's current weights on `windows`. */
export function score<W>(model: TrainableModel<W>, windows: Uint32Array, targets: HeadTargets): { metrics: Metrics; loss: number } {
  const { targets: truth, predictions, loss } = model.predict(windows);
  const metrics = metricsFromConfusion(confusionMatrix(truth, predictions, targets.classes), targets.positiveClass);
  return { metrics, loss: windows.length > 0 ? loss / windows.length : 0 };
}
