import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { readWindowStore } from '../data/window-store';
import { exitCosts, summarizeIR } from '../model/cost';
import { estimateMemory } from '../model/memory';
import { readSearchedModel, SEARCHED_MODEL_FILE } from '../search/searched-model';
import type { BoardDefinition, NormalizedTrainCascade } from '../spec/types';
import { CASCADE_MODEL_FORMAT, type CascadeModelFile } from '../train/cascade/cascade-model-file';
import {
  baselineModels,
  calibrateExits,
  cascadeArchitectures,
  cascadeTrainingJobs,
  evaluateOnTest,
  fmt,
  methodResources,
  pct,
  runTrainingJobs,
  trainedNetworks,
} from '../train/cascade/cascade-run';
import { resolveEvents } from '../train/cascade/events';
import { writeTrainCascadeResults } from '../train/cascade/train-cascade-results';
import { cascadeFoldData } from '../train/cascade/training-jobs';
import type { Precision } from '../train/wasm/arena';

export interface TrainCascadeStageInput {
  experiment: string;
  cascade: NormalizedTrainCascade;
  seed: number;
  /** The engine's element type (spec train.precision). */
  precision: Precision;
  board: BoardDefinition;
  /** The window stage's output folder (the data). */
  windowDir: string;
  /** The search stage's output folder (best-model.json: the backbone). */
  searchDir: string;
  /** Replaced atomically with this stage's artifacts. */
  outDir: string;
  log?: Log;
}

/**
 * The `train-cascade` stage (UR2M): turns the searched backbone into an evidential early-exit cascade (one
 * one-vs-all Beta head per event at each exit), trains it stage by stage (or jointly) on the search's outer fold,
 * chooses the exit thresholds on the inner validation subjects, and evaluates it on the fold's held-out test
 * subjects beside the baselines (softmax with the same architecture, a deep ensemble, test-time augmentation, the
 * evidential model without exits): event F1, accuracy, Brier, NLL, ECE, accuracy vs coverage, per-subject spread,
 * exit rates, MACs and memory, and robustness to noise and lost signal.
 */
export async function runTrainCascadeStage(input: TrainCascadeStageInput): Promise<{ thresholds: number[]; eventF1: number; expectedMacs: number }> {
  const log = input.log ?? silentLog;
  const settings = input.cascade;
  const { searched, store, foldInfo, events, data, dataSpec } = await readFold(input);

  const irs = cascadeArchitectures(searched, settings, events.names.length, log);
  const jobs = cascadeTrainingJobs(irs, settings, input.seed, input.precision);
  log(
    `train-cascade: ${summarizeIR(irs.cascade)} for events ${events.names.join(', ')} on fold ${searched.fold} ` +
      `(${data.train.length} training, ${data.validation.length} validation, ${data.test.length} test windows); ${jobs.length} trainings on ${settings.workers} worker(s)`,
  );
  const started = Date.now();
  const results = await runTrainingJobs(jobs, { ...dataSpec, events: events.names }, settings.workers, log);
  const networks = trainedNetworks(irs, results, settings, input.precision);
  const costs = exitCosts(irs.cascade);
  const exitMacs = costs.map((c) => c.macs);
  const calibration = calibrateExits(networks, data, events, exitMacs, settings, input.seed, log);
  const thresholds = calibration.calibration.chosen.thresholds;

  const subjectNames = store.manifest.subjects.map((s) => s.id);
  const { test, robustness } = evaluateOnTest(networks, thresholds, exitMacs, data, events, settings, input.seed, subjectNames, log);
  const subjects = { train: [...data.trainSubjects], validation: [...data.validationSubjects], test: [...data.testSubjects] };
  const model: CascadeModelFile = {
    format: CASCADE_MODEL_FORMAT,
    experiment: input.experiment,
    backbone: { candidate: searched.candidate, summary: searched.summary },
    summary: summarizeIR(irs.cascade),
    ir: irs.cascade,
    weights: networks.cascade.exportWeights(),
    events: events.names,
    eventClasses: events.classes,
    classes: store.manifest.classes,
    thresholds,
    fold: searched.fold,
    subjects,
    normalization: foldInfo.normalization,
    windows: store.manifest.payload.sha256,
    exitCosts: costs,
    memory: estimateMemory(irs.cascade, input.board),
  };
  const resources = methodResources(irs, test, input.board, settings);
  const baselines = baselineModels(irs, networks, results);
  const windows = { train: data.train.length, validation: data.validation.length, test: data.test.length };
  await replaceDirAtomic(input.outDir, (dir) =>
    writeTrainCascadeResults(dir, { model, baselines, windows, training: results, calibration, test, robustness, resources }),
  );
  const ur2m = test.methods['ur2m-cascade']!;
  log(
    `train-cascade: test (${subjects.test.join(', ')}): event F1 ${fmt(ur2m.eventF1)}, accuracy ${fmt(ur2m.accuracy)}, ECE ${fmt(ur2m.ece)}; ` +
      `exits ${ur2m.exits!.rates.map(pct).join(' / ')}, ${Math.round(ur2m.exits!.expectedMacs)} MACs/window; ${((Date.now() - started) / 60000).toFixed(1)} min`,
  );
  return { thresholds, eventF1: ur2m.eventF1, expectedMacs: ur2m.exits!.expectedMacs };
}

/** The searched model and its fold of the window store, checked to belong together and to hold validation and test windows. */
async function readFold(input: TrainCascadeStageInput) {
  const settings = input.cascade;
  const searched = await readSearchedModel(input.searchDir);
  const store = await readWindowStore(input.windowDir);
  if (searched.windows !== store.manifest.payload.sha256) {
    throw new UserError(`${path.join(input.searchDir, SEARCHED_MODEL_FILE)}: searched on other windows than ${input.windowDir} holds; rerun the search stage`);
  }
  const { validationSubjects, validationBy, maxTrainWindows, maxValidationWindows, sampling } = settings;
  const dataSpec = {
    windowDir: input.windowDir,
    fold: searched.fold,
    seed: input.seed,
    validationSubjects,
    validationBy,
    maxTrainWindows,
    maxValidationWindows,
    sampling,
  };
  const foldInfo = store.manifest.folds.find((f) => f.name === searched.fold);
  if (!foldInfo) throw new UserError(`${SEARCHED_MODEL_FILE} names fold ${searched.fold}, which the window store does not have; rerun the search stage`);
  const events = resolveEvents(store.manifest.classes, settings.events, foldInfo.trainCounts);
  const data = cascadeFoldData(store, dataSpec, events);
  if (data.validation.length === 0)
    throw new UserError(
      `train-cascade: fold ${searched.fold} leaves no validation subjects to calibrate the exit thresholds on; set train-cascade.validationSubjects ≥ 1`,
    );
  if (data.test.length === 0) throw new UserError(`train-cascade: fold ${searched.fold} has no test windows to evaluate on`);
  return { searched, store, foldInfo, events, data, dataSpec };
}
