import * as path from 'node:path';
import type { Candidate } from '../search/candidates';
import type { BaselineReport } from '../search/baselines';
import type { TrialRecord } from '../search/run-schedule';
import type { TrialEpoch } from '../search/trial';
import type { WindowManifest } from '../stages/window';
import type { ThresholdCalibration, OperatingPoint } from '../train/cascade/thresholds';
import type { MethodEvaluation } from '../train/cascade/evaluate';
import type { MethodResources } from '../train/cascade/report';
import type { Metrics } from '../train/metrics';
import { readEvaluate, type EvaluateResults } from './evaluate-reader';
import { readOptionalJson } from './read-optional-json';

/** What the report reads of search/trials.json (the rest of the file is not needed). */
export interface SearchTrials {
  board: string;
  budget: { sramBytes: number; flashBytes: number };
  strategy: string;
  fold: string;
  metric: string;
  classes: string[];
  positiveClass: number | null;
  candidates: Omit<Candidate, 'ir' | 'blocks'>[];
  trials: TrialRecord[];
  rejected: { count: number; reasons: Record<string, number> };
}

export interface SearchArtifacts {
  trials: SearchTrials;
  pareto: { metric: string; front: { id: string; summary: string; sramBytes: number; flashBytes: number; score: number }[] };
  best: { candidate: string; summary: string; validation: Metrics | null; test: Metrics | null; history?: TrialEpoch[] | null; memory: { arena: number } };
  baselines: BaselineReport;
}

export interface CascadeArtifacts {
  events: string[];
  fold: string;
  subjects: { train: string[]; validation: string[]; test: string[] };
  calibration: ThresholdCalibration;
  /** Absent from runs before the report existed. */
  thresholdSweep?: OperatingPoint[];
  test: MethodEvaluation;
  resources: Record<string, MethodResources>;
  training: { id: string; stages: unknown[] }[];
}

export interface QuantizeSummary {
  eventF1: number;
  accuracy: number;
  ece: number;
  brier?: number;
  exitRates?: number[];
  expectedMacs?: number;
  [key: string]: unknown;
}

export interface QuantizeArtifacts {
  report: {
    windows: number;
    events: string[];
    float: QuantizeSummary;
    int8: QuantizeSummary;
    drop: { eventF1: number; accuracy: number; ece: number; perEvent: { event: string; f1: number }[] };
    agreement: { decision: number; exit: number };
    tensors: unknown;
    flash: { blobBytes: number };
  };
  sections: { name: string; offset: number; bytes: number }[] | null;
}

export interface FirmwareArtifacts {
  manifest: {
    predicted: { blobBytes: number; arenaBytes: number; arenaLowerBound: number; inputBytes: number; stackBytes: number };
    arena: { id: string; offset: number; bytes: number; firstStep: number; lastStep: number }[];
  };
}

export interface FlashTestArtifacts {
  report: {
    board: string;
    runner: string;
    builtFor: string;
    vectors: { passed: number; total: number; bitExact: boolean };
    memory: {
      flash: { used: number; capacity: number; predictedTotal: number; sections: Record<string, number> };
      sram: { used: number; capacity: number; predicted: number; sections: Record<string, number> };
      runtime: { estimateInBoardYaml: number; measured: number; kernels: number; modelCode: number };
    };
    instructions: {
      method: string;
      perInference: { mean: number; min: number; max: number };
      perExit: { exit: number; mean: number; min: number; max: number }[];
      perMac: Record<string, number | null>;
      kernels: Record<string, number>;
      macsByKernel: Record<string, number>;
    } | null;
  };
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
  window: ['windows.json'],
  search: ['trials.json', 'pareto.json', 'best-model.json', 'baselines.json'],
  'train-cascade': ['metrics.json'],
  quantize: ['report.json', 'flash-sections.json'],
  'emit-firmware': ['manifest.json'],
  'flash-test': ['report.json'],
  evaluate: ['evaluate.json'],
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
    readOptionalJson<WindowManifest>(path.join(stage('window'), 'windows.json')),
    readAll<SearchArtifacts & Record<string, unknown>>(stage('search'), {
      trials: 'trials.json',
      pareto: 'pareto.json',
      best: 'best-model.json',
      baselines: 'baselines.json',
    }),
    readOptionalJson<CascadeArtifacts>(path.join(stage('train-cascade'), 'metrics.json')),
    readOptionalJson<QuantizeArtifacts['report']>(path.join(stage('quantize'), 'report.json')),
    readOptionalJson<QuantizeArtifacts['sections']>(path.join(stage('quantize'), 'flash-sections.json')),
    readOptionalJson<FirmwareArtifacts['manifest']>(path.join(stage('emit-firmware'), 'manifest.json')),
    readOptionalJson<FlashTestArtifacts['report']>(path.join(stage('flash-test'), 'report.json')),
    readEvaluate(path.join(stage('evaluate'), 'evaluate.json')),
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
