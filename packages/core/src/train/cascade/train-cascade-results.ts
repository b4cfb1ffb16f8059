import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeJsonArtifact } from '../../common/json-artifact';
import { evidenceFunctionOf, exitUncertaintyOf } from '../../model/evidence';
import type { ModelIR } from '../../model/ir';
import type { NetworkWeights } from '../network';
import { writeCascadeModel, type CascadeModelFile } from './cascade-model-file';
import type { CascadeWeights } from './cascade-network';
import type { MethodEvaluation, MethodName, RobustnessLevel } from './evaluate';
import { comparisonRows, trainCascadeMarkdown, type MethodResources } from './report';
import { silentEventWarnings, type SilentEvent } from './silent-events';
import type { OperatingPoint, ThresholdCalibration } from './thresholds';
import type { StageSummary, TrainingJobResult } from './training-jobs';

/** How the exits were calibrated on validation windows: the chosen thresholds and the report's sweep. */
export interface ExitCalibration {
  calibration: ThresholdCalibration;
  /** The report's threshold sweep: one shared threshold on every early exit, validation windows, 21 steps. */
  thresholdSweep: OperatingPoint[];
  /** Events an exit decides on no validation window although some are that event (silent-events.ts). */
  silentEvents: SilentEvent[];
}

/** What train-cascade writes besides the cascade model: the baselines' models, the metrics the report reads, the comparison. */
export const TRAIN_CASCADE_METRICS_FILE = 'metrics.json';
export const BASELINE_MODELS_FILE = 'baseline-models.json';
export const COMPARISON_FILE = 'comparison.json';

/** `metrics.json`: what the run measured, which the report page reads. */
export interface TrainCascadeMetrics {
  format: 'nx-tinyml/train-cascade@1';
  experiment: string;
  events: string[];
  fold: string;
  subjects: { train: string[]; validation: string[]; test: string[] };
  windows: { train: number; validation: number; test: number };
  /** Each training's stages without their timings (those go to run-log.jsonl). */
  training: { id: string; stages: Omit<StageSummary, 'seconds' | 'samplesPerSecond'>[] }[];
  calibration: ThresholdCalibration;
  /** Absent from runs before the report existed. */
  thresholdSweep?: OperatingPoint[];
  /** Absent from runs before the check existed. */
  silentEvents?: SilentEvent[];
  test: MethodEvaluation;
  robustness: RobustnessLevel[];
  resources: Record<MethodName, MethodResources>;
}

export interface TrainCascadeResults {
  model: CascadeModelFile;
  baselines: { evidential: { ir: ModelIR; weights: CascadeWeights } | null; softmax: { ir: ModelIR; members: (CascadeWeights | NetworkWeights)[] } };
  windows: { train: number; validation: number; test: number };
  training: TrainingJobResult[];
  calibration: ExitCalibration;
  test: MethodEvaluation;
  robustness: RobustnessLevel[];
  resources: Record<MethodName, MethodResources>;
}

/** Every train-cascade output in `dir`; run-log.jsonl holds the timings, the one file that varies between identical runs. */
export async function writeTrainCascadeResults(dir: string, results: TrainCascadeResults): Promise<void> {
  const { model, calibration } = results;
  const rows = comparisonRows(results.test.methods, results.resources);
  await writeCascadeModel(dir, model);
  await writeJsonArtifact(path.join(dir, BASELINE_MODELS_FILE), results.baselines);
  const metrics: TrainCascadeMetrics = {
    format: 'nx-tinyml/train-cascade@1',
    experiment: model.experiment,
    events: model.events,
    fold: model.fold,
    subjects: model.subjects,
    windows: results.windows,
    training: results.training.map((r) => ({ id: r.id, stages: r.stages.map(({ seconds, samplesPerSecond, ...rest }) => rest) })),
    calibration: calibration.calibration,
    thresholdSweep: calibration.thresholdSweep,
    silentEvents: calibration.silentEvents,
    test: results.test,
    robustness: results.robustness,
    resources: results.resources,
  };
  await writeJsonArtifact(path.join(dir, TRAIN_CASCADE_METRICS_FILE), metrics);
  await writeJsonArtifact(path.join(dir, COMPARISON_FILE), { events: model.events, fold: model.fold, rows });
  await writeFile(
    path.join(dir, 'summary.md'),
    trainCascadeMarkdown({
      experiment: model.experiment,
      summary: model.summary,
      events: model.events,
      fold: model.fold,
      subjects: model.subjects,
      rows,
      calibration: calibration.calibration,
      test: results.test,
      robustness: results.robustness,
      costs: model.exitCosts,
      exitUncertainty: exitUncertaintyOf(model.ir),
      warnings: silentEventWarnings(calibration.silentEvents, model.exitCosts.length, evidenceFunctionOf(model.ir)),
    }),
  );
  await writeFile(
    path.join(dir, 'run-log.jsonl'),
    results.training.map((r) => JSON.stringify({ id: r.id, seconds: r.seconds, stages: r.stages })).join('\n') + '\n',
  );
}
