import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeJsonArtifact } from '../common/json-artifact';
import type { FoldResult } from './fold-evaluation';

/** What one `evaluate-s<shard>` target leaves for the evaluate aggregator (`folds.json`). */
export const EVALUATE_SHARD_FILE = 'folds.json';
export const EVALUATE_SHARD_FORMAT = 'nx-tinyml/evaluate-shard@1';

/** Its folds, each under the key that determines it (the aggregator takes a fold only when its key matches). */
export interface EvaluateShardOutput {
  format: typeof EVALUATE_SHARD_FORMAT;
  shard: number;
  shards: number;
  folds: { key: string; result: FoldResult }[];
}

/**
 * A shard's output in `dir`, or null when the shard did not run or left something else: its folds are then
 * evaluated by the aggregator, so an absent or foreign file is not an error here.
 */
export async function readEvaluateShardOutput(dir: string): Promise<EvaluateShardOutput | null> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, EVALUATE_SHARD_FILE), 'utf8')) as EvaluateShardOutput;
    return parsed.format === EVALUATE_SHARD_FORMAT ? parsed : null;
  } catch {
    return null;
  }
}

export async function writeEvaluateShardOutput(dir: string, output: EvaluateShardOutput): Promise<void> {
  await writeJsonArtifact(path.join(dir, EVALUATE_SHARD_FILE), output);
}
