import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { Random } from '../common/random';
import { readWindowStore } from '../data/window-store';
import { exitCosts, modelCost, summarizeIR, totalParams } from '../model/cost';
import type { ModelIR } from '../model/ir';
import { estimateMemory } from '../model/memory';
import type { BlockSpan } from '../model/spaces';
import type { Precision } from '../train/wasm/arena';
import type { BoardDefinition, NormalizedTrainCascade } from '../spec/types';
import { buildCascadeIR, cascadeTaps, withHead } from '../train/cascade/build-cascade';
import { CascadeNetwork, type CascadeWeights } from '../train/cascade/cascade-network';
import { evaluateMethods, robustness, type EvaluatedModels } from '../train/cascade/evaluate';
import { resolveEvents } from '../train/cascade/events';
import { cascadeExitPredictions } from '../train/cascade/predictions';
import { calibrateEvidence } from '../train/cascade/evidence-scale';
import { trainCascadeMarkdown, comparisonRows } from '../train/cascade/report';
import { calibrateThresholds, operatingPoint } from '../train/cascade/thresholds';
import { cascadeFoldData, type TrainingJob, type TrainingJobResult, type TrainingSettings } from '../train/cascade/training-jobs';
import { createTrainingPool } from '../train/cascade/training-pool';
import { Network, type NetworkWeights } from '../train/network';
import { monitoredF1 } from '../train/training-loop';
import { readStageOutput } from './read-stage-output';
import type { WindowManifest } from './window';

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

/** What the search stage hands on (best-model.json). */
interface SearchedModel {
  candidate: string;
  summary: string;
  ir: ModelIR;
  blocks: BlockSpan[];
  fold: string;
  windows: string;
}

export const CASCADE_MODEL_FILE = 'cascade-model.json';

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
  const searched = await readSearchedModel(input.searchDir);
  const store = await readWindowStore<WindowManifest>(input.windowDir);
  if (searched.windows !== store.manifest.payload.sha256) {
    throw new UserError(`${path.join(input.searchDir, 'best-model.json')}: searched on other windows than ${input.windowDir} holds; rerun the search stage`);
  }
  const dataSpec = {
    windowDir: input.windowDir,
    fold: searched.fold,
    seed: input.seed,
    validationSubjects: settings.validationSubjects,
    maxTrainWindows: settings.maxTrainWindows,
    maxValidationWindows: settings.maxValidationWindows,
    sampling: settings.sampling,
  };
  const foldInfo = store.manifest.folds.find((f) => f.name === searched.fold);
  if (!foldInfo) throw new UserError(`best-model.json names fold ${searched.fold}, which the window store does not have; rerun the search stage`);
  const events = resolveEvents(store.manifest.classes, settings.events, foldInfo.trainCounts);
  const data = cascadeFoldData(store, dataSpec, events);
  if (data.validation.length === 0)
    throw new UserError(
      `train-cascade: fold ${searched.fold} leaves no validation subjects to calibrate the exit thresholds on; set train-cascade.validationSubjects ≥ 1`,
    );
  if (data.test.length === 0) throw new UserError(`train-cascade: fold ${searched.fold} has no test windows to evaluate on`);

  const E = events.names.length;
  const taps = cascadeTaps(searched.blocks, settings.exits, settings.exitAfter, searched.ir.layers.length);
  if (!settings.exitAfter && taps.length < settings.exits - 1) {
    log(
      `train-cascade: the searched backbone has ${searched.blocks.length} block(s), so the cascade gets ${taps.length + 1} exit(s) instead of ${settings.exits}`,
    );
  }
  const cascadeIR = buildCascadeIR(searched.ir, taps, E);
  const evidentialIR = withHead(searched.ir, 'evidential', E);
  const softmaxIR = withHead(searched.ir, 'softmax', E);
  const training: TrainingSettings = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    patience: settings.patience,
    weightedLoss: settings.weightedLoss,
    lambda: settings.lambda,
    annealEpochs: settings.annealEpochs,
    regularizer: settings.regularizer,
    precision: input.precision,
  };
  const softmaxModels = settings.baselines.ensemble ? settings.ensembleSize : settings.baselines.softmax || settings.baselines.tta ? 1 : 0;
  const jobs: TrainingJob[] = [
    { id: 'cascade', kind: 'evidential', ir: cascadeIR, seed: Random.derive(input.seed, 1).uint32(), training: settings.training, settings: training },
    ...(settings.baselines.evidential
      ? [
          {
            id: 'evidential',
            kind: 'evidential' as const,
            ir: evidentialIR,
            seed: Random.derive(input.seed, 2).uint32(),
            training: 'stagewise' as const,
            settings: training,
          },
        ]
      : []),
    ...Array.from({ length: softmaxModels }, (_, m) => ({
      id: `softmax-${m}`,
      kind: 'softmax' as const,
      ir: softmaxIR,
      seed: Random.derive(input.seed, 100 + m).uint32(),
      settings: training,
    })),
  ];
  log(
    `train-cascade: ${summarizeIR(cascadeIR)} for events ${events.names.join(', ')} on fold ${searched.fold} ` +
      `(${data.train.length} training, ${data.validation.length} validation, ${data.test.length} test windows); ${jobs.length} trainings on ${settings.workers} worker(s)`,
  );

  const started = Date.now();
  const pool = createTrainingPool({ ...dataSpec, events: events.names }, Math.min(settings.workers, jobs.length));
  let results: TrainingJobResult[];
  const progress = startProgress('train-cascade: trainings', jobs.length, { log: progressLog(log) });
  try {
    let done = 0;
    results = await Promise.all(
      jobs.map(async (job) => {
        const result = await pool.run(job, (line) => log(`train-cascade: ${line}`));
        done++;
        progress.update(done, job.id);
        const last = result.stages[result.stages.length - 1];
        const f1 = last.validation ? monitoredF1(last.validation, E === 1 ? 'positive-f1' : 'event-f1') : null;
        log(
          `train-cascade: ${job.id} trained in ${result.seconds.toFixed(0)} s (${result.stages.length} stage(s), validation event F1 ${fmt(f1)}); ${done}/${jobs.length}`,
        );
        return result;
      }),
    );
    progress.finish();
  } finally {
    progress.stop();
    await pool.close();
  }
  const byId = new Map(results.map((r) => [r.id, r]));

  const cascade = new CascadeNetwork(cascadeIR, input.precision);
  cascade.importWeights(byId.get('cascade')!.weights as CascadeWeights);
  const evidential = settings.baselines.evidential ? new CascadeNetwork(evidentialIR, input.precision) : null;
  evidential?.importWeights(byId.get('evidential')!.weights as CascadeWeights);
  const softmax = Array.from({ length: softmaxModels }, (_, m) => {
    const network = new Network(softmaxIR, input.precision);
    network.importWeights(byId.get(`softmax-${m}`)!.weights as NetworkWeights);
    return network;
  });

  const costs = exitCosts(cascadeIR);
  const exitMacs = costs.map((c) => c.macs);
  const validationTruth = Uint8Array.from(data.validation, (w) => events.eventOfClass[data.label(w)] + 1);
  if (settings.evidenceScaling) {
    const scales = calibrateEvidence(cascade, data, data.validation, validationTruth, E);
    if (evidential) calibrateEvidence(evidential, data, data.validation, validationTruth, E);
    log(`train-cascade: evidence scaled on validation by ${scales.map((s) => s.toFixed(2)).join(' / ')} (exit 1 … deep)`);
  }
  const validationExits = cascadeExitPredictions(cascade, E, data, data.validation, { kind: 'clean' }, input.seed);
  const calibration = calibrateThresholds(validationExits, validationTruth, exitMacs, settings.targetDrop);
  const thresholds = calibration.chosen.thresholds;
  // The report's threshold sweep: one shared threshold on every early exit, validation windows, 21 steps.
  const thresholdSweep = Array.from({ length: 21 }, (_, step) =>
    operatingPoint(validationExits, validationTruth, exitMacs, new Array<number>(exitMacs.length - 1).fill(step / 20)),
  );
  log(
    `train-cascade: thresholds ${thresholds.map((t) => t.toFixed(3)).join(', ') || '(single exit)'} on validation: event F1 ${fmt(calibration.chosen.eventF1)} ` +
      `(deep-only ${fmt(calibration.deepOnly.eventF1)}), exit rates ${calibration.chosen.rates.map((r) => pct(r)).join(' / ')}, ${Math.round(calibration.chosen.expectedMacs)} of ${exitMacs[exitMacs.length - 1]} MACs`,
  );

  const models: EvaluatedModels = {
    cascade,
    thresholds,
    exitMacs,
    evidential,
    softmax,
    ensemble: settings.baselines.ensemble,
    tta: settings.baselines.tta ? settings.tta : null,
  };
  const subjectNames = store.manifest.subjects.map((s) => s.id);
  const test = evaluateMethods(models, data, events, data.test, { kind: 'clean' }, Random.derive(input.seed, 0x7e57).uint32(), subjectNames);
  log(`train-cascade: evaluating robustness (${settings.robustness.noise.length} noise and ${settings.robustness.missing.length} missing-signal levels)`);
  const damage = robustness(models, data, events, settings.robustness, Random.derive(input.seed, 0x40b).uint32(), subjectNames);

  const memory = (ir: ModelIR) => {
    const report = estimateMemory(ir, input.board);
    return { flashBytes: report.flash.total, sramBytes: report.budget.sramUsed, arenaBytes: report.sram.arena, fits: report.fits };
  };
  const resources = {
    'ur2m-cascade': { ...memory(cascadeIR), macs: test.methods['ur2m-cascade']!.exits!.expectedMacs, params: totalParams(cascadeIR) },
    evidential: { ...memory(evidentialIR), macs: modelCost(evidentialIR).macs, params: modelCost(evidentialIR).params },
    softmax: { ...memory(softmaxIR), macs: modelCost(softmaxIR).macs, params: modelCost(softmaxIR).params },
    'deep-ensemble': ensembleResources(memory(softmaxIR), softmaxModels, modelCost(softmaxIR), input.board.memory.runtimeCodeBytes),
    tta: { ...memory(softmaxIR), macs: settings.tta.copies * modelCost(softmaxIR).macs, params: modelCost(softmaxIR).params },
  };
  const rows = comparisonRows(test.methods, resources);
  const subjects = { train: [...data.trainSubjects], validation: [...data.validationSubjects], test: [...data.testSubjects] };
  const cascadeModel = {
    format: 'nx-tinyml/cascade@1',
    experiment: input.experiment,
    backbone: { candidate: searched.candidate, summary: searched.summary },
    summary: summarizeIR(cascadeIR),
    ir: cascadeIR,
    weights: cascade.exportWeights(),
    events: events.names,
    eventClasses: events.classes,
    classes: store.manifest.classes,
    thresholds,
    fold: searched.fold,
    subjects,
    normalization: foldInfo.normalization,
    windows: store.manifest.payload.sha256,
    exitCosts: costs,
    memory: estimateMemory(cascadeIR, input.board),
  };

  await replaceDirAtomic(input.outDir, async (dir) => {
    const write = (file: string, value: unknown) => writeFile(path.join(dir, file), `${canonicalJson(value, 1)}\n`);
    await write(CASCADE_MODEL_FILE, cascadeModel);
    await write('baseline-models.json', {
      evidential: evidential ? { ir: evidentialIR, weights: evidential.exportWeights() } : null,
      softmax: { ir: softmaxIR, members: softmax.map((_, m) => byId.get(`softmax-${m}`)!.weights) },
    });
    await write('metrics.json', {
      format: 'nx-tinyml/train-cascade@1',
      experiment: input.experiment,
      events: events.names,
      fold: searched.fold,
      subjects,
      windows: { train: data.train.length, validation: data.validation.length, test: data.test.length },
      training: results.map((r) => ({ id: r.id, stages: r.stages.map(({ seconds, samplesPerSecond, ...rest }) => rest) })),
      calibration,
      thresholdSweep,
      test,
      robustness: damage,
      resources,
    });
    await write('comparison.json', { events: events.names, fold: searched.fold, rows });
    await writeFile(
      path.join(dir, 'summary.md'),
      trainCascadeMarkdown({
        experiment: input.experiment,
        summary: cascadeModel.summary,
        events: events.names,
        fold: searched.fold,
        subjects,
        rows,
        calibration,
        test,
        robustness: damage,
        costs,
      }),
    );
    await writeFile(path.join(dir, 'run-log.jsonl'), results.map((r) => JSON.stringify({ id: r.id, seconds: r.seconds, stages: r.stages })).join('\n') + '\n');
  });
  const ur2m = test.methods['ur2m-cascade']!;
  log(
    `train-cascade: test (${subjects.test.join(', ')}): event F1 ${fmt(ur2m.eventF1)}, accuracy ${fmt(ur2m.accuracy)}, ECE ${fmt(ur2m.ece)}; ` +
      `exits ${ur2m.exits!.rates.map(pct).join(' / ')}, ${Math.round(ur2m.exits!.expectedMacs)} MACs/window; ${((Date.now() - started) / 60000).toFixed(1)} min`,
  );
  return { thresholds, eventF1: ur2m.eventF1, expectedMacs: ur2m.exits!.expectedMacs };
}

async function readSearchedModel(searchDir: string): Promise<SearchedModel> {
  const file = path.join(searchDir, 'best-model.json');
  const parsed = await readStageOutput<Partial<SearchedModel>>(file, 'the searched model', 'search');
  if (!parsed.ir || !Array.isArray(parsed.blocks) || typeof parsed.fold !== 'string' || typeof parsed.windows !== 'string') {
    throw new UserError(`${file}: written by an older search stage (no blocks/windows); rerun the search stage`);
  }
  return parsed as SearchedModel;
}

/** M members: M times the weights in flash (one runtime), the arena of one (members run one after another). */
function ensembleResources(
  one: { flashBytes: number; sramBytes: number; arenaBytes: number; fits: boolean },
  members: number,
  cost: { macs: number; params: number },
  runtimeCode: number,
) {
  return { ...one, flashBytes: members * (one.flashBytes - runtimeCode) + runtimeCode, macs: members * cost.macs, params: members * cost.params };
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(3);
}

function pct(rate: number): string {
  return `${(100 * rate).toFixed(1)}%`;
}
