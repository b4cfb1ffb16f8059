import type { ModelIR } from '../model/ir';
import type { Metrics } from '../train/metrics';
import type { NetworkWeights } from '../train/network';
import type { Precision } from '../train/wasm/arena';

/** Where the trial workers read their data: the window store and how to split its fold. */
export interface TrialDataSpec {
  windowDir: string;
  fold: string;
  seed: number;
  validationSubjects: number | null;
  validationBy: 'subjects' | 'windows';
  /** Classes the validation subjects should cover (FoldData's validationClasses). */
  validationClasses: number[];
  maxValidationWindows: number;
}

/** One training run of one candidate at one budget. */
export interface TrialRequest {
  key: string;
  ir: ModelIR;
  seed: number;
  epochs: number;
  maxTrainWindows: number;
  weightedLoss: boolean;
  batchSize: number;
  learningRate: number;
  patience: number;
  monitor: 'positive-f1' | 'macro-f1';
  /** The engine's element type (spec train.precision). */
  precision: Precision;
  /** Store class index whose F1 positive-f1 means; undefined: the trainer's default (the rarest class). */
  positiveClass?: number;
  initialWeights?: NetworkWeights;
  /** Per layer: 1 keeps a parameter, 0 pins it at zero (fine-tuning a pruned network). */
  masks?: (number[] | null)[];
}

/** What a trial yields. Timing fields vary run to run; everything else is determined by the request. */
export interface TrialEpoch {
  epoch: number;
  loss: number;
  validationLoss: number | null;
  validationF1: number | null;
}

export interface TrialOutcome {
  key: string;
  validation: Metrics | null;
  /** Validation loss at the kept epoch (ranks candidates whose F1 ties). */
  validationLoss: number | null;
  test: Metrics | null;
  bestEpoch: number;
  epochsRun: number;
  stopReason: string;
  trainWindows: number;
  /**
   * Per-epoch training loss and validation loss / F1 (the report's training curves). No timings: they would make
   * identical trials differ. Absent from trials journaled before it was recorded.
   */
  history?: TrialEpoch[];
  /** The subject split the trial trained and was scored on (the same for every trial of a search). */
  subjects: { train: string[]; validation: string[]; test: string[] };
  weights: NetworkWeights;
  timing: { seconds: number; samplesPerSecond: number };
}
