import type { RawSearchSpace } from '../model/space-defaults';
import type {
  Calibration,
  CascadeTraining,
  DatasetId,
  DatasetSource,
  FirmwareFormat,
  FlashRunner,
  FoldScheme,
  LabelPolicy,
  SearchStrategy,
  WindowMode,
} from './types';

/** experiment.yaml as written, once it has passed experiment.schema.json: every optional setting may be absent. */
export interface RawSpec {
  name: string;
  description?: string;
  tags?: string[];
  board: string;
  dataset: DatasetId | { name: DatasetId; source?: DatasetSource; url?: string };
  seed?: number;
  window?: {
    mode?: WindowMode;
    sampleRateHz?: number;
    lengthSeconds?: number;
    overlap?: number;
    beatOffset?: number;
    rrFeatures?: boolean;
    channels?: string[];
    labels?: {
      policy?: LabelPolicy;
      preSeconds?: number;
      postSeconds?: number;
      fallTrialRest?: 'negative' | 'exclude';
      minPurity?: number;
      unlabelled?: 'other' | 'exclude';
      classes?: string[];
      map?: Record<string, string>;
    };
    folds?: { scheme?: FoldScheme; split?: string; k?: number; subjects?: string[] };
  };
  train?: {
    precision?: 'float32' | 'float64';
  };
  search?: {
    space?: RawSearchSpace;
    strategy?: SearchStrategy;
    trials?: number;
    epochs?: number;
    batchSize?: number;
    learningRate?: number;
    weightedLoss?: boolean;
    workers?: number;
    budget?: { sramBytes?: number; flashBytes?: number };
    fold?: string;
    validationSubjects?: number;
    validationBy?: 'subjects' | 'windows';
    maxTrainWindows?: number;
    maxValidationWindows?: number;
    patience?: number;
    baselines?: { twoStage?: boolean; unweighted?: boolean };
    metric?: 'positive-f1' | 'macro-f1';
    positiveClass?: string;
  };
  'train-cascade'?: {
    exits?: number;
    events?: string[];
    epochs?: number;
    lambda?: number;
    training?: CascadeTraining;
    targetDrop?: number;
    evidenceScaling?: boolean;
    regularizer?: 'misleading' | 'all';
    evidence?: 'relu' | 'exp';
    exitUncertainty?: 'vacuity' | 'decision';
    ensembleSize?: number;
    exitAfter?: number[];
    annealEpochs?: number;
    batchSize?: number;
    learningRate?: number;
    patience?: number;
    weightedLoss?: boolean | 'sqrt';
    sampling?: 'balanced' | 'proportional';
    workers?: number;
    validationSubjects?: number;
    validationBy?: 'subjects' | 'windows';
    maxTrainWindows?: number;
    maxValidationWindows?: number;
    tta?: { copies?: number; sigma?: number };
    robustness?: { noise?: number[]; missing?: number[]; maxWindows?: number };
    baselines?: { softmax?: boolean; ensemble?: boolean; tta?: boolean; evidential?: boolean };
  };
  quantize?: { calibration?: Calibration; percentile?: number; calibrationWindows?: number; goldenVectors?: number; inputGate?: boolean };
  'emit-firmware'?: { format?: FirmwareFormat };
  'flash-test'?: { runner?: FlashRunner; vectors?: number };
  evaluate?: {
    folds?: 'all' | string[];
    training?: { epochs?: number; patience?: number; maxTrainWindows?: number; maxValidationWindows?: number };
    baselines?: boolean;
    int8?: boolean;
    postProcessing?: { k?: number; n?: number; refractorySeconds?: number };
    alarmSweep?: { k: number; n: number }[];
    targetDropSweep?: number[];
  };
}
