import type { Log } from '../common/log';
import { Random } from '../common/random';
import type { LoadedWindowStore } from '../data/window-store';
import { exitCosts } from '../model/cost';
import type { ModelIR } from '../model/ir';
import { thresholdQ15 } from '../quantize/evidential';
import { quantizeModel } from '../quantize/ptq';
import type { QuantizedModel } from '../quantize/quantized-model';
import { auroc } from '../train/metrics';
import type { NormalizedEvaluate, NormalizedQuantize, NormalizedTrainCascade } from '../spec/types';
import type { WindowManifest } from '../data/window-manifest';
import { withHead } from '../train/cascade/build-cascade';
import { CascadeNetwork, type CascadeWeights } from '../train/cascade/cascade-network';
import type { EventSet } from '../train/cascade/events';
import {
  applyThresholds,
  averagedSoftmaxPredictions,
  cascadeExitPredictions,
  perturbationLabel,
  PredictionSet,
  type Perturbation,
} from '../train/cascade/predictions';
import { calibrateEvidence } from '../train/cascade/evidence-scale';
import { sweepAlarmRules, type FoldAlarmSweep } from './alarm-sweep';
import { sweepTargetDrops, type FoldTargetDropSweep } from './target-drop-sweep';
import { chooseOperatingPoint, enumerateOperatingPoints } from '../train/cascade/thresholds';
import { silentEventWarnings, silentEvents } from '../train/cascade/silent-events';
import { cascadeFoldData, CascadeJobRunner, type TrainingJob, type TrainingSettings } from '../train/cascade/training-jobs';
import { Network, type NetworkWeights } from '../train/network';
import type { Precision as TrainPrecision } from '../train/wasm/arena';
import { uniformSubsample, WindowSampler } from '../train/window-source';
import { int8CascadePredictions, withInputGateFrom } from './int8-predictions';
import { scoreMethod, type MethodScores } from './method-scores';
import { recordingTimelines } from './recordings';

/** The deployed cascade evaluate retrains per fold (cascade-model.json: its IR with exits and its events). */
export interface DeployedCascade {
  ir: ModelIR;
  events: EventSet;
  /** Subjects that chose what is deployed: the search's (ranking and training the candidates) and the thresholds'. */
  selection: { searchTrain: string[]; searchValidation: string[]; thresholdValidation: string[] };
}

export interface FoldSettings {
  windowDir: string;
  seed: number;
  cascade: NormalizedTrainCascade;
  quantize: NormalizedQuantize;
  evaluate: NormalizedEvaluate;
  /** The engine's element type (spec train.precision). */
  precision: EnginePrecision;
}

export type MethodKey = 'cascade' | 'deep-exit' | 'softmax';
export type Precision = 'float' | 'int8';
type EnginePrecision = TrainPrecision;

/** One outer fold: who was where, what training did, and every method's scores on the held-out subject(s). */
export interface FoldResult {
  fold: string;
  subjects: { train: string[]; validation: string[]; test: string[] };
  /** Whether a test subject took part in choosing what is deployed (then the aggregate is also given without it). */
  selection: { rankedArchitectures: boolean; trainedSearchCandidates: boolean; calibratedDeployedThresholds: boolean; excluded: boolean };
  windows: { train: number; validation: number; test: number };
  training: { id: string; epochsRun: number[]; bestEpoch: number[] }[];
  thresholds: number[];
  results: { method: MethodKey; precision: Precision; scores: MethodScores }[];
  /** The deployed cascade's event counts under each rule of evaluate.alarmSweep (null: none asked for). */
  alarmSweep?: FoldAlarmSweep | null;
  /** The int8 cascade's uncertainty on damaged test windows (null without int8). */
  robustness?: Int8Robustness[] | null;
  /** The float cascade with thresholds chosen under each evaluate.targetDropSweep value (null: none, or one exit). */
  targetDropSweep?: FoldTargetDropSweep | null;
  /** What looked wrong on the fold's validation windows (silent-events.ts); absent when nothing did. */
  warnings?: string[];
}

/** One damage of the int8 robustness check: how well u (after the input gate) tells damaged windows from clean ones. */
export interface Int8Robustness {
  damage: string;
  windows: number;
  auroc: number | null;
  meanUncertainty: number;
  meanUncertaintyClean: number;
  /** Shares of the damaged and of the clean windows the input gate rejected (0 without a gate). */
  gateRejected: number;
  gateRejectedClean: number;
}

/**
 * One outer fold of the evaluation: trains the deployed cascade's architecture afresh on the fold's training
 * subjects with the evaluate profile (the train-cascade job code, not a copy), calibrates its exit thresholds on
 * the fold's inner validation subjects exactly as train-cascade does, quantises it as the quantize stage does,
 * and scores the cascade, its deep exit alone and (optionally) the softmax baseline, float and int8, on the
 * held-out subject(s): window-level and event-level under the spec's alarm rule.
 */
export async function evaluateFold(
  store: LoadedWindowStore<WindowManifest>,
  deployed: DeployedCascade,
  fold: string,
  settings: FoldSettings,
  log: Log,
): Promise<FoldResult> {
  const { cascade: trainSettings, evaluate } = settings;
  const events = deployed.events;
  const E = events.names.length;
  const dataSpec = {
    windowDir: settings.windowDir,
    fold,
    seed: settings.seed,
    validationSubjects: trainSettings.validationSubjects,
    validationBy: trainSettings.validationBy,
    maxTrainWindows: evaluate.training.maxTrainWindows,
    maxValidationWindows: evaluate.training.maxValidationWindows,
    sampling: trainSettings.sampling,
  };
  const data = cascadeFoldData(store, dataSpec, events);
  const training: TrainingSettings = {
    epochs: evaluate.training.epochs,
    batchSize: trainSettings.batchSize,
    learningRate: trainSettings.learningRate,
    patience: evaluate.training.patience,
    weightedLoss: trainSettings.weightedLoss,
    lambda: trainSettings.lambda,
    annealEpochs: trainSettings.annealEpochs,
    regularizer: trainSettings.regularizer,
    precision: settings.precision,
  };
  // The same seeds as train-cascade, so the search's fold with train-cascade's profile reproduces its model.
  const jobs: TrainingJob[] = [
    {
      id: 'cascade',
      kind: 'evidential',
      ir: deployed.ir,
      seed: Random.derive(settings.seed, 1).uint32(),
      training: trainSettings.training,
      settings: training,
    },
  ];
  // The softmax baseline: the deployed backbone, exits dropped, an (E + 1)-class softmax head.
  const softmaxIR = evaluate.baselines ? withHead(deployed.ir, 'softmax', E) : null;
  if (softmaxIR) jobs.push({ id: 'softmax-0', kind: 'softmax', ir: softmaxIR, seed: Random.derive(settings.seed, 100).uint32(), settings: training });
  log(
    `evaluate ${fold}: ${data.train.length} training, ${data.validation.length} validation, ${data.test.length} test windows; ${jobs.map((j) => j.id).join(', ')}`,
  );
  const runner = new CascadeJobRunner({ ...dataSpec, events: events.names });
  const trained = [];
  for (const job of jobs) trained.push(await runner.run(job, (line) => log(`evaluate ${fold}: ${line}`)));

  const cascade = new CascadeNetwork(deployed.ir, settings.precision);
  cascade.importWeights(trained[0].weights as CascadeWeights);
  const exitMacs = exitCosts(deployed.ir).map((c) => c.macs);
  const truthOf = (windows: Uint32Array) => Uint8Array.from(windows, (w) => events.eventOfClass[data.label(w)] + 1);
  const validationTruth = truthOf(data.validation);
  if (trainSettings.evidenceScaling) calibrateEvidence(cascade, data, data.validation, validationTruth, E);
  const validationExits = cascadeExitPredictions(cascade, E, data, data.validation, { kind: 'clean' }, settings.seed);
  // One simulation of every threshold combination on validation serves the spec's targetDrop and the sweep's.
  const validationPoints = enumerateOperatingPoints(validationExits, validationTruth, exitMacs);
  const thresholds = chooseOperatingPoint(validationPoints, trainSettings.targetDrop).chosen.thresholds;
  const warnings = silentEventWarnings(silentEvents(validationExits, validationTruth, events.names), validationExits.length, trainSettings.evidence);
  for (const warning of warnings) log(`evaluate ${fold}: ${warning}`);

  const truth = truthOf(data.test);
  const subjects = Uint16Array.from(data.test, (w) => data.subject(w));
  const subjectNames = store.manifest.subjects.map((s) => s.id);
  const timelines = recordingTimelines(store, data.test);
  const rule = evaluate.postProcessing;
  const score = (set: PredictionSet, macs?: number[]) => scoreMethod(set, truth, subjects, subjectNames, events.names, timelines, rule, macs);
  const exits = cascadeExitPredictions(cascade, E, data, data.test, { kind: 'clean' }, settings.seed);
  const floatCascade = applyThresholds(exits, thresholds);
  const targetDropSweep =
    exits.length > 1 && evaluate.targetDropSweep.length > 0
      ? sweepTargetDrops(validationPoints, { exits, truth }, exitMacs, evaluate.targetDropSweep, trainSettings.targetDrop)
      : null;
  const results: FoldResult['results'] = [
    { method: 'cascade', precision: 'float', scores: score(floatCascade, exitMacs) },
    { method: 'deep-exit', precision: 'float', scores: score(exits[exits.length - 1]) },
  ];
  // The deployed cascade (int8 when scored) under each alternative alarm rule.
  let deployedCascade: { set: PredictionSet; precision: 'float' | 'int8' } = { set: floatCascade, precision: 'float' };
  let robustness: Int8Robustness[] | null = null;
  if (evaluate.int8) {
    const int8 = int8Predictions(
      store,
      deployed.ir,
      cascade.exportWeights(),
      foldNormalization(store, fold),
      data.trainSubjects,
      data.test,
      thresholds,
      E,
      settings,
    );
    results.push({ method: 'cascade', precision: 'int8', scores: score(int8.cascade, exitMacs) });
    results.push({ method: 'deep-exit', precision: 'int8', scores: score(int8.deep) });
    deployedCascade = { set: int8.cascade, precision: 'int8' };
    robustness = int8.robustness;
  }
  const alarmSweep: FoldAlarmSweep | null =
    evaluate.alarmSweep.length > 0
      ? { method: 'cascade', precision: deployedCascade.precision, rows: sweepAlarmRules(deployedCascade.set, truth, timelines, E, evaluate.alarmSweep, rule) }
      : null;
  if (softmaxIR) {
    const network = new Network(softmaxIR, settings.precision);
    network.importWeights(trained[1].weights as NetworkWeights);
    results.push({
      method: 'softmax',
      precision: 'float',
      scores: score(averagedSoftmaxPredictions([network], E, data, data.test, { kind: 'clean' }, settings.seed)),
    });
  }

  const test = new Set(data.testSubjects);
  const any = (list: readonly string[]) => list.some((s) => test.has(s));
  const selection = {
    rankedArchitectures: any(deployed.selection.searchValidation),
    trainedSearchCandidates: any(deployed.selection.searchTrain),
    calibratedDeployedThresholds: any(deployed.selection.thresholdValidation),
    excluded: false,
  };
  selection.excluded = selection.rankedArchitectures || selection.calibratedDeployedThresholds;
  return {
    fold,
    subjects: { train: [...data.trainSubjects], validation: [...data.validationSubjects], test: [...data.testSubjects] },
    selection,
    windows: { train: data.train.length, validation: data.validation.length, test: data.test.length },
    training: trained.map((t) => ({ id: t.id, epochsRun: t.stages.map((s) => s.epochsRun), bestEpoch: t.stages.map((s) => s.bestEpoch) })),
    thresholds,
    results,
    alarmSweep,
    robustness,
    targetDropSweep,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * The fold's model quantised like the quantize stage does it (calibration windows drawn from the training
 * subjects with the same seed, the thresholds in Q15), run through the integer reference interpreter.
 */
function int8Predictions(
  store: LoadedWindowStore<WindowManifest>,
  ir: ModelIR,
  weights: CascadeWeights,
  normalization: { mean: number[]; std: number[] },
  trainSubjects: readonly string[],
  test: Uint32Array,
  thresholds: number[],
  events: number,
  settings: FoldSettings,
): { cascade: PredictionSet; deep: PredictionSet; robustness: Int8Robustness[] } {
  const sampler = new WindowSampler(store, normalization);
  const calibrationWindows = uniformSubsample(sampler.windowsOf(trainSubjects), settings.quantize.calibrationWindows, Random.derive(settings.seed, 0x9a17));
  const ungated = quantizeModel(
    ir,
    weights,
    Array.from(calibrationWindows, (w) => sampler.sample(w)),
    { percentile: settings.quantize.calibration === 'percentile' ? settings.quantize.percentile : undefined, thresholdsQ15: thresholds.map(thresholdQ15) },
  );
  const model = settings.quantize.inputGate ? withInputGateFrom(ungated, sampler, calibrationWindows) : ungated;
  const predictions = int8CascadePredictions(model, sampler, test, events);
  return { ...predictions, robustness: int8Robustness(model, sampler, test, events, settings) };
}

/**
 * Does the deployed int8 cascade's uncertainty (after the input gate, as the firmware reports it) rise on damaged
 * input? For each of train-cascade.robustness's damages, on up to its maxWindows test windows: AUROC of u on the
 * damaged windows against the same windows clean, and the mean u of each.
 */
function int8Robustness(model: QuantizedModel, sampler: WindowSampler, test: Uint32Array, events: number, settings: FoldSettings): Int8Robustness[] {
  const { noise, missing, maxWindows } = settings.cascade.robustness;
  const windows = uniformSubsample(test, maxWindows, Random.derive(settings.seed, 0x20b));
  const seed = Random.derive(settings.seed, 0x3000).uint32();
  const cleanRun = int8CascadePredictions(model, sampler, windows, events);
  const clean = cleanRun.cascade.uncertainty;
  const damages: Perturbation[] = [
    ...noise.map((sigma): Perturbation => ({ kind: 'noise', sigma })),
    ...missing.map((fraction): Perturbation => ({ kind: 'missing', fraction })),
  ];
  const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return damages.map((damage) => {
    const run = int8CascadePredictions(model, sampler, windows, events, damage, seed);
    const u = run.cascade.uncertainty;
    return {
      damage: perturbationLabel(damage),
      windows: windows.length,
      auroc: auroc(u, clean),
      meanUncertainty: mean(u),
      meanUncertaintyClean: mean(clean),
      gateRejected: run.gateRejected / Math.max(1, windows.length),
      gateRejectedClean: cleanRun.gateRejected / Math.max(1, windows.length),
    };
  });
}

function foldNormalization(store: LoadedWindowStore<WindowManifest>, fold: string): { mean: number[]; std: number[] } {
  return store.manifest.folds.find((f) => f.name === fold)!.normalization;
}
