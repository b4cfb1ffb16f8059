import * as path from 'node:path';
import { MANIFEST_FILE, type WindowManifest } from '../data/window-manifest';
import { EVALUATE_FILE } from '../evaluate/results';
import { FIRMWARE_MANIFEST_FILE, type FirmwareManifest } from '../codegen/firmware-manifest';
import { FLASH_REPORT_FILE, type FlashTestReport } from '../build-and-run/flash-report';
import type { FlashSection } from '../quantize/flash-blob';
import { FLASH_SECTIONS_FILE } from '../quantize/quantized-files';
import { QUANTIZE_REPORT_FILE, type QuantizeReport } from '../quantize/quantize-report';
import type { BaselineReport } from '../search/baselines';
import { PARETO_FILE, SEARCH_BASELINES_FILE, SEARCH_TRIALS_FILE, type ParetoFile, type SearchTrialsFile } from '../search/search-results';
import { SEARCHED_MODEL_FILE, type SearchedModel } from '../search/searched-model';
import type { MethodResources } from '../train/cascade/report';
import { TRAIN_CASCADE_METRICS_FILE, type TrainCascadeMetrics } from '../train/cascade/train-cascade-results';
import { readEvaluate, type EvaluateResults } from './evaluate-reader';
import { readOptionalJson } from './read-optional-json';

/**
 * The stage outputs the report reads, typed by the modules that write them: a change of format there fails to
 * compile here instead of drifting. Only the search's best model is narrowed, to what older runs also hold.
 */
export interface SearchArtifacts {
  trials: SearchTrialsFile;
  pareto: ParetoFile;
  best: Pick<SearchedModel, 'candidate' | 'summary' | 'validation' | 'test'> & {
    history?: SearchedModel['history'];
    memory: Pick<SearchedModel['memory'], 'arena'>;
  };
  baselines: BaselineReport;
}

/** The sections look resources up by the method names they find in the file. */
export type CascadeArtifacts = Omit<TrainCascadeMetrics, 'resources'> & { resources: Record<string, MethodResources> };

export interface QuantizeArtifacts {
  report: QuantizeReport;
  sections: FlashSection[] | null;
}

export interface FirmwareArtifacts {
  manifest: FirmwareManifest;
}

export interface FlashTestArtifacts {
  /** A run's report, or why it skipped (runner: board with no board attached). */
  report: FlashTestReport;
}

/** Every stage's outputs the report shows; null where the stage has not run (its folder or file is missing). */
export interface ExperimentArtifacts {
  experiment: string;
  dir: string;
  window: WindowManifest | null;
  search: SearchArtifacts | null;
  cascade: CascadeArtifacts | null;
  quantize: QuantizeArtifacts | null;
  firmware: FirmwareArtifacts | null;
  flashTest: FlashTestArtifacts | null;
  evaluate: EvaluateResults | null;
}

/** The JSON files the report reads, per stage folder: also what the `report` target's cache key hashes. */
export const REPORT_INPUT_FILES: Readonly<Record<string, readonly string[]>> = {
  window: [MANIFEST_FILE],
  search: [SEARCH_TRIALS_FILE, PARETO_FILE, SEARCHED_MODEL_FILE, SEARCH_BASELINES_FILE],
  'train-cascade': [TRAIN_CASCADE_METRICS_FILE],
  quantize: [QUANTIZE_REPORT_FILE, FLASH_SECTIONS_FILE],
  'emit-firmware': [FIRMWARE_MANIFEST_FILE],
  'flash-test': [FLASH_REPORT_FILE],
  evaluate: [EVALUATE_FILE],
};

/** All of them present, or null: a stage counts as run only when every file the report needs is there. */
async function readAll<T extends Record<string, unknown>>(dir: string, files: Record<keyof T, string>): Promise<T | null> {
  const entries = await Promise.all(Object.entries(files).map(async ([key, file]) => [key, await readOptionalJson(path.join(dir, file))] as const));
  return entries.every(([, value]) => value !== null) ? (Object.fromEntries(entries) as T) : null;
}

/** Reads `dist/experiments/<name>/<stage>/…` for every stage. */
export async function readExperimentArtifacts(experimentDir: string, experiment: string): Promise<ExperimentArtifacts> {
  const stage = (name: string) => path.join(experimentDir, name);
  const [window, search, cascade, quantizeReport, sections, firmware, flashTest, evaluate] = await Promise.all([
    readOptionalJson<WindowManifest>(path.join(stage('window'), MANIFEST_FILE)),
    readAll<SearchArtifacts & Record<string, unknown>>(stage('search'), {
      trials: SEARCH_TRIALS_FILE,
      pareto: PARETO_FILE,
      best: SEARCHED_MODEL_FILE,
      baselines: SEARCH_BASELINES_FILE,
    }),
    readOptionalJson<CascadeArtifacts>(path.join(stage('train-cascade'), TRAIN_CASCADE_METRICS_FILE)),
    readOptionalJson<QuantizeArtifacts['report']>(path.join(stage('quantize'), QUANTIZE_REPORT_FILE)),
    readOptionalJson<QuantizeArtifacts['sections']>(path.join(stage('quantize'), FLASH_SECTIONS_FILE)),
    readOptionalJson<FirmwareArtifacts['manifest']>(path.join(stage('emit-firmware'), FIRMWARE_MANIFEST_FILE)),
    readOptionalJson<FlashTestArtifacts['report']>(path.join(stage('flash-test'), FLASH_REPORT_FILE)),
    readEvaluate(path.join(stage('evaluate'), EVALUATE_FILE)),
  ]);
  return {
    experiment,
    dir: experimentDir,
    window,
    search,
    cascade,
    quantize: quantizeReport ? { report: quantizeReport, sections } : null,
    firmware: firmware ? { manifest: firmware } : null,
    flashTest: flashTest ? { report: flashTest } : null,
    evaluate,
  };
}
