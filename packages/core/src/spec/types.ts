/** The normalized experiment: every setting filled in from the file, the dataset's defaults and the board. */

import type { DatasetId } from '../data/registry';
import type { EvidenceFunction, ExitUncertainty } from '../model/ir';
import type { SearchSpace, SearchSpaceKind } from '../model/space-types';
import type { StageName } from '../pipeline/stage-contracts';

export type { DatasetId, SearchSpace, SearchSpaceKind, StageName };

export type WindowMode = 'sliding' | 'beat' | 'recording';
export type LabelPolicy = 'impact' | 'majority' | 'centre' | 'beat' | 'recording';
export type FoldScheme = 'loso' | 'split' | 'stratified';
export type DatasetSource = 'auto' | 'full' | 'sample';
export type SearchStrategy = 'random' | 'grid' | 'successive-halving';
export type CascadeTraining = 'stagewise' | 'joint';
export type Calibration = 'minmax' | 'percentile';
export type FirmwareFormat = 'auto' | 'cmake' | 'esp-idf';
export type FlashRunner = 'auto' | 'qemu' | 'host' | 'board';

export interface BoardMemory {
  sramBytes: number;
  flashBytes: number;
  /** SRAM the board's own software (RTOS, drivers) keeps; the model never gets it. */
  reserveSramBytes: number;
  stackBytes: number;
  /** Flash of the inference runtime's code (an estimate until flash-test measures it); see model/memory.ts. */
  runtimeCodeBytes: number;
  /**
   * Static RAM the firmware needs besides the model's arena, input and result: the runtime's, the platform layer's,
   * libc's and the test harness's .data/.bss, with the linker's alignment gaps. An upper bound measured on real
   * builds; flash-test fails when a build needs more. See model/memory.ts.
   */
  runtimeRamBytes: number;
}

export interface BoardDefinition {
  name: string;
  title: string;
  cpu: string;
  memory: BoardMemory;
  toolchain: string;
  emulator: string;
  /** Absolute path of the board.yaml. */
  file: string;
}

export interface NormalizedLabels {
  policy: LabelPolicy;
  preSeconds: number;
  postSeconds: number;
  fallTrialRest: 'negative' | 'exclude';
  minPurity: number;
  unlabelled: 'other' | 'exclude';
  classes: string[] | null;
  map: Record<string, string>;
}

export interface NormalizedFolds {
  scheme: FoldScheme;
  split: string | null;
  /** Number of folds under `stratified`; null otherwise. */
  k: number | null;
  subjects: string[] | null;
}

export interface NormalizedWindow {
  mode: WindowMode;
  sampleRateHz: number;
  /** null in recording mode: each recording is one window. */
  lengthSeconds: number | null;
  overlap: number;
  beatOffset: number;
  /** beat mode: append the beat's RR-interval features (data/rr-features.ts) as constant channels. */
  rrFeatures: boolean;
  channels: string[];
  labels: NormalizedLabels;
  folds: NormalizedFolds;
}

export interface NormalizedDataset {
  name: DatasetId;
  source: DatasetSource;
  url: string | null;
}

/** How the training engine computes; read by the search stage (train-cascade still trains in float64). */
export interface NormalizedTrain {
  /** Element type of weights, activations and gradients (train/wasm/arena.ts). */
  precision: 'float32' | 'float64';
}

export interface NormalizedSearch {
  /** The space with every range filled in (model/space-defaults.ts), whichever form the file used. */
  space: SearchSpace;
  strategy: SearchStrategy;
  trials: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightedLoss: boolean;
  workers: number;
  /** SRAM for arena + input + result + static RAM + stack (board reserve already excluded) and flash for the model + runtime; model/memory.ts. */
  budget: { sramBytes: number; flashBytes: number };
  /** Outer fold to search on; null = the first fold whose test subjects have minority-class windows. */
  fold: string | null;
  /** null: 2, but at most a third of the fold's training subjects (at least 1), so small datasets keep most for training. */
  validationSubjects: number | null;
  /** What ranks the candidates: whole training subjects, or a fifth of every one's windows (train/dataset.ts). */
  validationBy: 'subjects' | 'windows';
  maxTrainWindows: number;
  maxValidationWindows: number;
  patience: number;
  baselines: { twoStage: boolean; unweighted: boolean };
  /** null: positive-f1 with 2 classes, macro-f1 with more (decided once the classes are known). */
  metric: 'positive-f1' | 'macro-f1' | null;
  /** Class label whose F1 positive-f1 means; null: the rarest class of the fold's training windows. */
  positiveClass: string | null;
}

/** true: class weights n / (k·n_i); sqrt: their square root (a milder push towards rare classes); false: none. */
export type LossWeighting = boolean | 'sqrt';

/** balanced: equal shares per class under a window cap; proportional: the data's class ratio. */
export type Sampling = 'balanced' | 'proportional';

export interface NormalizedTrainCascade {
  /** Predictions: early exits + the final one. */
  exits: number;
  /** null: the rarer class of two, or every class but the most frequent. */
  events: string[] | null;
  /** null: the searched blocks split into `exits` groups. */
  exitAfter: number[] | null;
  epochs: number;
  lambda: number;
  annealEpochs: number;
  training: CascadeTraining;
  targetDrop: number;
  /** Fit one evidence factor per exit on validation after training (train/cascade/evidence-scale.ts). */
  evidenceScaling: boolean;
  /** Which evidence the KL term regularises (train/evidential/loss.ts). */
  regularizer: 'misleading' | 'all';
  /** How the evidence layers' output becomes evidence (model/evidence.ts). */
  evidence: EvidenceFunction;
  /** What the exit thresholds are compared with (model/ir.ts ExitUncertainty). */
  exitUncertainty: ExitUncertainty;
  ensembleSize: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  /** Class weights of the losses (train/cascade/events.ts): n / (k·n_i), their square root, or none. */
  weightedLoss: LossWeighting;
  /** How the training and validation caps are drawn (train/dataset.ts subsample). */
  sampling: Sampling;
  workers: number;
  validationSubjects: number | null;
  /** What the inner validation set holds out: whole training subjects, or a fifth of every one's windows (train/dataset.ts). */
  validationBy: 'subjects' | 'windows';
  maxTrainWindows: number;
  maxValidationWindows: number;
  tta: { copies: number; sigma: number };
  robustness: { noise: number[]; missing: number[]; maxWindows: number };
  baselines: { softmax: boolean; ensemble: boolean; tta: boolean; evidential: boolean };
}

export interface NormalizedQuantize {
  calibration: Calibration;
  percentile: number;
  calibrationWindows: number;
  goldenVectors: number;
  /** The input-quality gate (quantize/input-gate.ts), for cascades. */
  inputGate: boolean;
}

export interface NormalizedEvaluate {
  /** 'all', or fold names (held-out subjects) in the order given. */
  folds: 'all' | string[];
  /** The per-fold training profile (the rest of training comes from train-cascade). */
  training: { epochs: number; patience: number; maxTrainWindows: number; maxValidationWindows: number };
  baselines: boolean;
  int8: boolean;
  postProcessing: { k: number; n: number; refractorySeconds: number };
  /** Alternative k-of-n rules the deployed cascade's event figures are also given under (summary.md, evaluate.json). */
  alarmSweep: { k: number; n: number }[];
  /** Alternative train-cascade.targetDrop values the cascade's thresholds are also chosen with (float, no retraining). */
  targetDropSweep: number[];
}

export interface NormalizedSpec {
  /** Absolute path of experiment.yaml. */
  file: string;
  name: string;
  description: string | null;
  /** The user's extra tags; `board:<board>` and `dataset:<dataset>` are added by the plugin, not listed here. */
  tags: string[];
  board: string;
  boardDefinition: BoardDefinition;
  dataset: NormalizedDataset;
  seed: number;
  window: NormalizedWindow;
  train: NormalizedTrain;
  search: NormalizedSearch;
  'train-cascade': NormalizedTrainCascade;
  quantize: NormalizedQuantize;
  'emit-firmware': { format: FirmwareFormat };
  'flash-test': { runner: FlashRunner; vectors: number };
  evaluate: NormalizedEvaluate;
}

export interface SpecOptions {
  /** Holds firmware/boards/; relative experiment paths are resolved against it and diagnostics are shown relative to it. */
  workspaceRoot: string;
}
