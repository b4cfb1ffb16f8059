import type { Log } from '../../common/log';
import { progressLog, startProgress } from '../../common/progress';
import { Random } from '../../common/random';
import { exitCosts, modelCost, totalParams } from '../../model/cost';
import type { ModelIR } from '../../model/ir';
import { estimateMemory } from '../../model/memory';
import type { BlockSpan } from '../../model/spaces';
import type { BoardDefinition, NormalizedTrainCascade } from '../../spec/types';
import type { FoldData } from '../dataset';
import { Network, type NetworkWeights } from '../network';
import { monitoredF1, type Monitor } from '../training-loop';
import type { Precision } from '../wasm/arena';
import { buildCascadeIR, cascadeTaps, withHead } from './build-cascade';
import { CascadeNetwork, type CascadeWeights } from './cascade-network';
import { evaluateMethods, robustness, type EvaluatedModels, type MethodEvaluation, type MethodName, type RobustnessLevel } from './evaluate';
import { calibrateEvidence } from './evidence-scale';
import type { EventSet } from './events';
import { cascadeExitPredictions } from './predictions';
import { silentEventWarnings, silentEvents } from './silent-events';
import type { MethodResources } from './report';
import type { ExitCalibration, TrainCascadeResults } from './train-cascade-results';
import { calibrateThresholds, operatingPoint } from './thresholds';
import type { CascadeDataSpec, TrainingJob, TrainingJobResult, TrainingSettings } from './training-jobs';
import { createTrainingPool } from './training-pool';

/**
 * The steps of a train-cascade run between reading its inputs and writing its outputs: the architectures (the
 * cascade on the searched backbone and the baselines' single-exit models), the trainings, the networks rebuilt from
 * their weights, and the exit thresholds calibrated on the validation subjects.
 */

/** The cascade and the baselines' architectures, all on the searched backbone. */
export interface CascadeArchitectures {
  cascade: ModelIR;
  evidential: ModelIR;
  softmax: ModelIR;
}

export function cascadeArchitectures(
  backbone: { ir: ModelIR; blocks: BlockSpan[] },
  settings: NormalizedTrainCascade,
  events: number,
  log: Log,
): CascadeArchitectures {
  const taps = cascadeTaps(backbone.blocks, settings.exits, settings.exitAfter, backbone.ir.layers.length);
  if (!settings.exitAfter && taps.length < settings.exits - 1) {
    log(
      `train-cascade: the searched backbone has ${backbone.blocks.length} block(s), so the cascade gets ${taps.length + 1} exit(s) instead of ${settings.exits}`,
    );
  }
  return {
    cascade: buildCascadeIR(backbone.ir, taps, events, settings.evidence, settings.exitUncertainty),
    evidential: withHead(backbone.ir, 'evidential', events, settings.evidence),
    softmax: withHead(backbone.ir, 'softmax', events),
  };
}

/** Softmax models to train: the ensemble's members, else one for the softmax or TTA baseline, else none. */
export function softmaxModelCount(settings: NormalizedTrainCascade): number {
  return settings.baselines.ensemble ? settings.ensembleSize : settings.baselines.softmax || settings.baselines.tta ? 1 : 0;
}

/** The run's independent trainings: the cascade, the evidential baseline, the softmax models; seeds derived from `seed`. */
export function cascadeTrainingJobs(irs: CascadeArchitectures, settings: NormalizedTrainCascade, seed: number, precision: Precision): TrainingJob[] {
  const training: TrainingSettings = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    patience: settings.patience,
    weightedLoss: settings.weightedLoss,
    lambda: settings.lambda,
    annealEpochs: settings.annealEpochs,
    regularizer: settings.regularizer,
    precision,
  };
  return [
    { id: 'cascade', kind: 'evidential', ir: irs.cascade, seed: Random.derive(seed, 1).uint32(), training: settings.training, settings: training },
    ...(settings.baselines.evidential
      ? [
          {
            id: 'evidential',
            kind: 'evidential' as const,
            ir: irs.evidential,
            seed: Random.derive(seed, 2).uint32(),
            training: 'stagewise' as const,
            settings: training,
          },
        ]
      : []),
    ...Array.from({ length: softmaxModelCount(settings) }, (_, m) => ({
      id: `softmax-${m}`,
      kind: 'softmax' as const,
      ir: irs.softmax,
      seed: Random.derive(seed, 100 + m).uint32(),
      settings: training,
    })),
  ];
}

/** Runs the jobs on `workers` threads (each loads the fold once), logging each as it finishes; results in job order. */
export async function runTrainingJobs(jobs: TrainingJob[], data: CascadeDataSpec, workers: number, log: Log): Promise<TrainingJobResult[]> {
  const pool = createTrainingPool(data, Math.min(workers, jobs.length));
  const progress = startProgress('train-cascade: trainings', jobs.length, { log: progressLog(log) });
  const monitor: Monitor = data.events.length === 1 ? 'positive-f1' : 'event-f1';
  try {
    let done = 0;
    const results = await Promise.all(
      jobs.map(async (job) => {
        const result = await pool.run(job, (line) => log(`train-cascade: ${line}`));
        done++;
        progress.update(done, job.id);
        const last = result.stages[result.stages.length - 1];
        const f1 = last.validation ? monitoredF1(last.validation, monitor) : null;
        log(
          `train-cascade: ${job.id} trained in ${result.seconds.toFixed(0)} s (${result.stages.length} stage(s), validation event F1 ${fmt(f1)}); ${done}/${jobs.length}`,
        );
        return result;
      }),
    );
    progress.finish();
    return results;
  } finally {
    progress.stop();
    await pool.close();
  }
}

/** The trained networks, rebuilt from the jobs' weights. */
export interface TrainedNetworks {
  cascade: CascadeNetwork;
  evidential: CascadeNetwork | null;
  softmax: Network[];
}

export function trainedNetworks(
  irs: CascadeArchitectures,
  results: readonly TrainingJobResult[],
  settings: NormalizedTrainCascade,
  precision: Precision,
): TrainedNetworks {
  const byId = new Map(results.map((r) => [r.id, r]));
  const cascade = new CascadeNetwork(irs.cascade, precision);
  cascade.importWeights(byId.get('cascade')!.weights as CascadeWeights);
  const evidential = settings.baselines.evidential ? new CascadeNetwork(irs.evidential, precision) : null;
  evidential?.importWeights(byId.get('evidential')!.weights as CascadeWeights);
  const softmax = Array.from({ length: softmaxModelCount(settings) }, (_, m) => {
    const network = new Network(irs.softmax, precision);
    network.importWeights(byId.get(`softmax-${m}`)!.weights as NetworkWeights);
    return network;
  });
  return { cascade, evidential, softmax };
}

/**
 * Scales the evidential networks' evidence (when the spec asks) and chooses the cascade's exit thresholds, both on
 * the validation windows: the cheapest thresholds within settings.targetDrop of deep-only.
 */
export function calibrateExits(
  networks: TrainedNetworks,
  data: FoldData,
  events: EventSet,
  exitMacs: number[],
  settings: NormalizedTrainCascade,
  seed: number,
  log: Log,
): ExitCalibration {
  const E = events.names.length;
  const validationTruth = Uint8Array.from(data.validation, (w) => events.eventOfClass[data.label(w)] + 1);
  if (settings.evidenceScaling) {
    const scales = calibrateEvidence(networks.cascade, data, data.validation, validationTruth, E);
    if (networks.evidential) calibrateEvidence(networks.evidential, data, data.validation, validationTruth, E);
    log(`train-cascade: evidence scaled on validation by ${scales.map((s) => s.toFixed(2)).join(' / ')} (exit 1 … deep)`);
  }
  const validationExits = cascadeExitPredictions(networks.cascade, E, data, data.validation, { kind: 'clean' }, seed);
  const calibration = calibrateThresholds(validationExits, validationTruth, exitMacs, settings.targetDrop);
  const thresholdSweep = Array.from({ length: 21 }, (_, step) =>
    operatingPoint(validationExits, validationTruth, exitMacs, new Array<number>(exitMacs.length - 1).fill(step / 20)),
  );
  const thresholds = calibration.chosen.thresholds;
  const silent = silentEvents(validationExits, validationTruth, events.names);
  for (const warning of silentEventWarnings(silent, validationExits.length, settings.evidence)) log(`train-cascade: ${warning}`);
  log(
    `train-cascade: thresholds ${thresholds.map((t) => t.toFixed(3)).join(', ') || '(single exit)'} on validation: event F1 ${fmt(calibration.chosen.eventF1)} ` +
      `(deep-only ${fmt(calibration.deepOnly.eventF1)}), exit rates ${calibration.chosen.rates.map((r) => pct(r)).join(' / ')}, ${Math.round(calibration.chosen.expectedMacs)} of ${exitMacs[exitMacs.length - 1]} MACs`,
  );
  return { calibration, thresholdSweep, silentEvents: silent };
}

/** Each method's flash, SRAM, arena, MACs per window (the cascade's expected on the test windows) and parameters on `board`. */
export function methodResources(
  irs: CascadeArchitectures,
  test: MethodEvaluation,
  board: BoardDefinition,
  settings: NormalizedTrainCascade,
): Record<MethodName, MethodResources> {
  const memory = (ir: ModelIR) => {
    const report = estimateMemory(ir, board);
    return { flashBytes: report.flash.total, sramBytes: report.budget.sramUsed, arenaBytes: report.sram.arena, fits: report.fits };
  };
  const softmaxCost = modelCost(irs.softmax);
  return {
    'ur2m-cascade': { ...memory(irs.cascade), macs: test.methods['ur2m-cascade']!.exits!.expectedMacs, params: totalParams(irs.cascade) },
    evidential: { ...memory(irs.evidential), macs: modelCost(irs.evidential).macs, params: modelCost(irs.evidential).params },
    softmax: { ...memory(irs.softmax), macs: softmaxCost.macs, params: softmaxCost.params },
    'deep-ensemble': ensembleResources(memory(irs.softmax), softmaxModelCount(settings), softmaxCost, board.memory.runtimeCodeBytes),
    tta: { ...memory(irs.softmax), macs: settings.tta.copies * softmaxCost.macs, params: softmaxCost.params },
  };
}

/** M members: M times the weights in flash (one runtime), the arena of one (members run one after another). */
function ensembleResources(
  one: { flashBytes: number; sramBytes: number; arenaBytes: number; fits: boolean },
  members: number,
  cost: { macs: number; params: number },
  runtimeCode: number,
): MethodResources {
  return { ...one, flashBytes: members * (one.flashBytes - runtimeCode) + runtimeCode, macs: members * cost.macs, params: members * cost.params };
}

/** MACs to reach each of the cascade's exits. */
export function exitMacsOf(ir: ModelIR): number[] {
  return exitCosts(ir).map((c) => c.macs);
}

export function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(3);
}

export function pct(rate: number): string {
  return `${(100 * rate).toFixed(1)}%`;
}

/** Every method on the clean test windows, then under the spec's noise and lost-signal levels (seeds derived from `seed`). */
export function evaluateOnTest(
  networks: TrainedNetworks,
  thresholds: number[],
  exitMacs: number[],
  data: FoldData,
  events: EventSet,
  settings: NormalizedTrainCascade,
  seed: number,
  subjectNames: readonly string[],
  log: Log,
): { test: MethodEvaluation; robustness: RobustnessLevel[] } {
  const tta = settings.baselines.tta ? settings.tta : null;
  const models: EvaluatedModels = { ...networks, thresholds, exitMacs, ensemble: settings.baselines.ensemble, tta };
  const test = evaluateMethods(models, data, events, data.test, { kind: 'clean' }, Random.derive(seed, 0x7e57).uint32(), subjectNames);
  log(`train-cascade: evaluating robustness (${settings.robustness.noise.length} noise and ${settings.robustness.missing.length} missing-signal levels)`);
  return { test, robustness: robustness(models, data, events, settings.robustness, Random.derive(seed, 0x40b).uint32(), subjectNames) };
}

/** The baselines' trained models as train-cascade keeps them (baseline-models.json). */
export function baselineModels(irs: CascadeArchitectures, networks: TrainedNetworks, results: readonly TrainingJobResult[]): TrainCascadeResults['baselines'] {
  return {
    evidential: networks.evidential ? { ir: irs.evidential, weights: networks.evidential.exportWeights() } : null,
    softmax: { ir: irs.softmax, members: networks.softmax.map((_, m) => results.find((r) => r.id === `softmax-${m}`)!.weights) },
  };
}
