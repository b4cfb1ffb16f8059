import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import type { NormalizedSearch } from '../spec/types';
import type { BaselineReport } from './baselines';
import type { Candidate, CandidateDraw } from './candidates';
import type { Selection, TrialRecord, TrialTiming } from './run-schedule';
import { writeSearchedModel, type SearchedModel } from './searched-model';
import type { Rung } from './successive-halving';

/**
 * What the search stage leaves in its folder besides the searched model: the trial table (`trials.json`, which
 * evaluate reads for the subjects the search selected on), the Pareto front, the baselines, a summary and a run log.
 */
export const SEARCH_TRIALS_FILE = 'trials.json';
export const PARETO_FILE = 'pareto.json';
export const SEARCH_BASELINES_FILE = 'baselines.json';
export const SEARCH_TRIALS_FORMAT = 'nx-tinyml/search@1';

export interface SearchTrialsFile {
  format: typeof SEARCH_TRIALS_FORMAT;
  experiment: string;
  board: string;
  budget: NormalizedSearch['budget'];
  strategy: NormalizedSearch['strategy'];
  space: NormalizedSearch['space'];
  fold: string;
  /** The subject split every trial trained and was scored on. */
  subjects: { train: string[]; validation: string[]; test: string[] };
  classes: string[];
  positiveClass: number | null;
  metric: Selection['monitor'];
  schedule: Rung[];
  rejected: CandidateDraw['rejected'];
  duplicatesSkipped: number;
  candidates: Candidate[];
  trials: TrialRecord[];
}

export interface ParetoFile {
  metric: string;
  front: { id: string; summary: string; sramBytes: number; flashBytes: number; rung: number; score: number }[];
}

export interface SearchResults {
  trials: SearchTrialsFile;
  pareto: ParetoFile;
  best: SearchedModel;
  baselines: BaselineReport;
  summary: string;
}

/** Reads `<dir>/trials.json`; missing, malformed or foreign is a UserError naming it. */
export async function readSearchTrials(dir: string): Promise<SearchTrialsFile> {
  return readJsonArtifact<SearchTrialsFile>(
    path.join(dir, SEARCH_TRIALS_FILE),
    { what: 'the search trials', producer: 'search', format: SEARCH_TRIALS_FORMAT },
    (trials) => missingFields(trials, { candidates: 'array', trials: 'array' }),
  );
}

/** The search's files in `dir` (each written atomically); `timings` become run-log.jsonl, the one file that varies between identical runs. */
export async function writeSearchResults(dir: string, results: SearchResults, timings: readonly TrialTiming[]): Promise<void> {
  await writeJsonArtifact(path.join(dir, SEARCH_TRIALS_FILE), results.trials);
  await writeJsonArtifact(path.join(dir, PARETO_FILE), results.pareto);
  await writeSearchedModel(dir, results.best);
  await writeJsonArtifact(path.join(dir, SEARCH_BASELINES_FILE), results.baselines);
  await writeFile(path.join(dir, 'summary.md'), results.summary);
  await writeFile(path.join(dir, 'run-log.jsonl'), timings.map((t) => JSON.stringify(t)).join('\n') + '\n');
}
