import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeJsonArtifact } from '../common/json-artifact';
import { UserError } from '../common/errors';
import type { Aggregate } from './aggregate-folds';
import type { PostProcessingRule } from './alarms';
import type { FoldResult } from './fold-evaluation';

export const EVALUATE_FORMAT = 'nx-tinyml/evaluate@1';
export const EVALUATE_FILE = 'evaluate.json';

/** `dist/experiments/<name>/evaluate/evaluate.json`: what the evaluate stage found (a report reads it). */
export interface EvaluateResults {
  format: typeof EVALUATE_FORMAT;
  experiment: string;
  dataset: { id: string; variant: 'full' | 'sample' };
  /** How the outer folds hold data out, in words (leave-one-subject-out, a named split, stratified k-fold). */
  foldScheme: string;
  /** The architecture every fold retrains (the deployed cascade's). */
  model: { summary: string; events: string[] };
  /** The alarm rule the event-level figures use, as settings and in words (the firmware must do the same). */
  postProcessing: { rule: PostProcessingRule; description: string };
  training: { epochs: number; patience: number; maxTrainWindows: number; maxValidationWindows: number };
  folds: FoldResult[];
  aggregate: {
    all: Aggregate;
    /** Without the folds whose test subject ranked the architectures or calibrated the deployed thresholds; null when none is left. */
    withoutSelection: Aggregate | null;
  };
}

/** Writes `<dir>/evaluate.json` atomically. */
export async function writeEvaluateResults(dir: string, results: EvaluateResults): Promise<void> {
  await writeJsonArtifact(path.join(dir, EVALUATE_FILE), results);
}

/** Reads evaluate.json; a missing, unreadable or foreign file is a UserError that says what to run. */
export async function readEvaluateResults(dir: string): Promise<EvaluateResults> {
  const file = path.join(dir, EVALUATE_FILE);
  let parsed: Partial<EvaluateResults>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<EvaluateResults>;
  } catch (error) {
    throw new UserError(`${file}: cannot read the evaluation (${(error as Error).message}); run the evaluate target first`);
  }
  if (parsed.format !== EVALUATE_FORMAT || !Array.isArray(parsed.folds) || !parsed.aggregate) {
    throw new UserError(`${file}: not an ${EVALUATE_FORMAT} file (format ${JSON.stringify(parsed.format)}); rerun the evaluate target`);
  }
  return parsed as EvaluateResults;
}
