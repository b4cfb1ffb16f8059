import { defaultBudget } from '../model/memory';
import { normalizeSearchSpace } from '../model/space-defaults';
import { DATASETS } from './datasets';
import type { RawSpec } from './raw-spec';
import type { BoardDefinition, NormalizedDataset, NormalizedSpec, NormalizedWindow } from './types';

/** Generic label settings, used where the dataset has no opinion. */
const LABEL_DEFAULTS = {
  preSeconds: 1,
  postSeconds: 0.5,
  fallTrialRest: 'negative',
  minPurity: 0.5,
  unlabelled: 'other',
} as const;

/** Folds under `scheme: stratified` when `k` is omitted: the usual 5-fold cross-validation. */
const STRATIFIED_DEFAULT_K = 5;

/**
 * Fills every omitted setting: window settings from the dataset's conventions (those of the papers it comes from),
 * search budgets from the board, the rest from fixed defaults. Pure: `raw` must have passed the schema.
 */
export function normalizeSpec(raw: RawSpec, file: string, board: BoardDefinition): NormalizedSpec {
  const dataset = normalizeDataset(raw.dataset);
  const window = normalizeWindow(raw.window ?? {}, dataset);
  const search = raw.search ?? {};
  const cascade = raw['train-cascade'] ?? {};
  const quantize = raw.quantize ?? {};
  const normalized: Omit<NormalizedSpec, 'evaluate'> = {
    file,
    name: raw.name,
    description: raw.description ?? null,
    tags: [...(raw.tags ?? [])],
    board: raw.board,
    boardDefinition: board,
    dataset,
    seed: raw.seed ?? 0,
    window,
    // float32 trains about twice as fast and reaches the same F1 (README, "Training precision").
    train: { precision: raw.train?.precision ?? 'float32' },
    search: {
      space: normalizeSearchSpace(search.space ?? 'cnn1d'),
      strategy: search.strategy ?? 'successive-halving',
      trials: search.trials ?? 20,
      epochs: search.epochs ?? 10,
      batchSize: search.batchSize ?? 128,
      learningRate: search.learningRate ?? 0.001,
      weightedLoss: search.weightedLoss ?? true,
      workers: search.workers ?? 2,
      // The default leaves out the board's reserve; the memory model compares arena + input + result + static RAM + stack with it.
      budget: {
        sramBytes: search.budget?.sramBytes ?? defaultBudget(board).sramBytes,
        flashBytes: search.budget?.flashBytes ?? defaultBudget(board).flashBytes,
      },
      fold: search.fold ?? null,
      validationSubjects: search.validationSubjects ?? null,
      validationBy: search.validationBy ?? 'subjects',
      maxTrainWindows: search.maxTrainWindows ?? 40000,
      maxValidationWindows: search.maxValidationWindows ?? 15000,
      patience: search.patience ?? 3,
      baselines: { twoStage: search.baselines?.twoStage ?? true, unweighted: search.baselines?.unweighted ?? true },
      metric: search.metric ?? null,
      positiveClass: search.positiveClass ?? null,
    },
    'train-cascade': {
      exits: cascade.exits ?? 3,
      events: cascade.events ? [...cascade.events] : null,
      exitAfter: cascade.exitAfter ? [...cascade.exitAfter] : null,
      epochs: cascade.epochs ?? 20,
      lambda: cascade.lambda ?? 0.1,
      annealEpochs: cascade.annealEpochs ?? 10,
      training: cascade.training ?? 'stagewise',
      targetDrop: cascade.targetDrop ?? 0.01,
      evidenceScaling: cascade.evidenceScaling ?? true,
      regularizer: cascade.regularizer ?? 'all',
      evidence: cascade.evidence ?? 'relu',
      exitUncertainty: cascade.exitUncertainty ?? 'vacuity',
      ensembleSize: cascade.ensembleSize ?? 5,
      batchSize: cascade.batchSize ?? 128,
      learningRate: cascade.learningRate ?? 0.001,
      patience: cascade.patience ?? 5,
      weightedLoss: cascade.weightedLoss ?? true,
      sampling: cascade.sampling ?? 'balanced',
      workers: cascade.workers ?? 2,
      validationSubjects: cascade.validationSubjects ?? null,
      validationBy: cascade.validationBy ?? 'subjects',
      maxTrainWindows: cascade.maxTrainWindows ?? 40000,
      maxValidationWindows: cascade.maxValidationWindows ?? 15000,
      tta: { copies: cascade.tta?.copies ?? 5, sigma: cascade.tta?.sigma ?? 0.03 },
      robustness: {
        noise: [...(cascade.robustness?.noise ?? [0.1, 0.3, 1])],
        missing: [...(cascade.robustness?.missing ?? [0.25, 0.5, 1])],
        maxWindows: cascade.robustness?.maxWindows ?? 2000,
      },
      baselines: {
        softmax: cascade.baselines?.softmax ?? true,
        ensemble: cascade.baselines?.ensemble ?? true,
        tta: cascade.baselines?.tta ?? true,
        evidential: cascade.baselines?.evidential ?? true,
      },
    },
    quantize: {
      calibration: quantize.calibration ?? 'minmax',
      percentile: quantize.percentile ?? 99.99,
      calibrationWindows: quantize.calibrationWindows ?? 1000,
      goldenVectors: quantize.goldenVectors ?? 32,
      inputGate: quantize.inputGate ?? true,
    },
    'emit-firmware': { format: raw['emit-firmware']?.format ?? 'auto' },
    'flash-test': { runner: raw['flash-test']?.runner ?? 'auto', vectors: raw['flash-test']?.vectors ?? 32 },
  };
  return { ...normalized, evaluate: normalizeEvaluate(raw.evaluate ?? {}, window.mode, normalized['train-cascade']) };
}

function normalizeDataset(raw: RawSpec['dataset']): NormalizedDataset {
  if (typeof raw === 'string') return { name: raw, source: 'auto', url: null };
  return { name: raw.name, source: raw.source ?? 'auto', url: raw.url ?? null };
}

function normalizeWindow(raw: NonNullable<RawSpec['window']>, dataset: NormalizedDataset): NormalizedWindow {
  const defaults = DATASETS[dataset.name].defaults;
  const mode = raw.mode ?? defaults.mode;
  // The dataset's window shape belongs to its default mode; another mode starts from neutral values.
  const sameMode = mode === defaults.mode;
  const labels = raw.labels ?? {};
  const folds = raw.folds ?? {};
  // Naming a split implies splitting by it.
  const scheme = folds.scheme ?? (folds.split !== undefined ? 'split' : defaults.scheme);
  return {
    mode,
    sampleRateHz: raw.sampleRateHz ?? defaults.sampleRateHz,
    lengthSeconds: raw.lengthSeconds ?? (mode === 'recording' || !sameMode ? null : defaults.lengthSeconds),
    overlap: raw.overlap ?? (sameMode ? defaults.overlap : 0),
    beatOffset: raw.beatOffset ?? defaults.beatOffset,
    rrFeatures: raw.rrFeatures ?? (mode === 'beat' && defaults.rrFeatures),
    channels: [...(raw.channels ?? defaults.channels)],
    labels: {
      policy: labels.policy ?? defaults.policy,
      preSeconds: labels.preSeconds ?? LABEL_DEFAULTS.preSeconds,
      postSeconds: labels.postSeconds ?? LABEL_DEFAULTS.postSeconds,
      fallTrialRest: labels.fallTrialRest ?? LABEL_DEFAULTS.fallTrialRest,
      minPurity: labels.minPurity ?? LABEL_DEFAULTS.minPurity,
      unlabelled: labels.unlabelled ?? LABEL_DEFAULTS.unlabelled,
      classes: labels.classes ? [...labels.classes] : null,
      map: { ...(labels.map ?? {}) },
    },
    folds: {
      scheme,
      split: scheme === 'split' ? (folds.split ?? defaults.split) : null,
      k: scheme === 'stratified' ? (folds.k ?? STRATIFIED_DEFAULT_K) : null,
      subjects: folds.subjects ? [...folds.subjects] : scheme === defaults.scheme && defaults.subjects ? [...defaults.subjects] : null,
    },
  };
}

/**
 * The evaluate section. Each fold trains as train-cascade does unless the profile says otherwise, so evaluate scores
 * the model train-cascade deploys: the earlier default (6 epochs, patience 2, 12,000 windows) stopped HAPT's folds
 * while validation F1 still rose (README, HAPT's accuracy target).
 */
function normalizeEvaluate(
  raw: NonNullable<RawSpec['evaluate']>,
  mode: NormalizedWindow['mode'],
  cascade: Pick<NormalizedSpec['train-cascade'], 'epochs' | 'patience' | 'maxTrainWindows' | 'maxValidationWindows'>,
): NormalizedSpec['evaluate'] {
  // A recording that is one window (ECG5000's beats) has no stream of decisions to vote over: its decision is its alarm.
  const rule = mode === 'recording' ? { k: 1, n: 1, refractorySeconds: 0 } : { k: 2, n: 3, refractorySeconds: 5 };
  return {
    folds: raw.folds === undefined || raw.folds === 'all' ? 'all' : [...raw.folds],
    training: {
      epochs: raw.training?.epochs ?? cascade.epochs,
      patience: raw.training?.patience ?? cascade.patience,
      maxTrainWindows: raw.training?.maxTrainWindows ?? cascade.maxTrainWindows,
      maxValidationWindows: raw.training?.maxValidationWindows ?? cascade.maxValidationWindows,
    },
    baselines: raw.baselines ?? false,
    int8: raw.int8 ?? true,
    postProcessing: {
      k: raw.postProcessing?.k ?? rule.k,
      n: raw.postProcessing?.n ?? rule.n,
      refractorySeconds: raw.postProcessing?.refractorySeconds ?? rule.refractorySeconds,
    },
    alarmSweep: raw.alarmSweep ? raw.alarmSweep.map(({ k, n }) => ({ k, n })) : mode === 'recording' ? [] : DEFAULT_ALARM_SWEEP.map(([k, n]) => ({ k, n })),
    targetDropSweep: raw.targetDropSweep ? [...raw.targetDropSweep] : [...DEFAULT_TARGET_DROP_SWEEP],
  };
}

/** The targetDrop values evaluate also chooses thresholds with by default: from "no loss on validation" to 5 points. */
const DEFAULT_TARGET_DROP_SWEEP: readonly number[] = [0, 0.0025, 0.005, 0.0075, 0.01, 0.02, 0.05];

/** The k-of-n rules evaluate also scores by default (window streams only): from every window to 12 of 12 (1.4 s at SisFall's hop). */
const DEFAULT_ALARM_SWEEP: readonly [number, number][] = [
  [1, 1],
  [2, 3],
  [3, 3],
  [4, 5],
  [5, 5],
  [6, 8],
  [8, 8],
  [10, 12],
  [12, 12],
];
