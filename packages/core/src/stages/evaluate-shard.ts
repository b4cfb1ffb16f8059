import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { loadEvaluationContext, type EvaluationSources } from '../evaluate/context';
import type { FoldResult, FoldSettings } from '../evaluate/fold-evaluation';
import { runFolds } from '../evaluate/run-folds';

export const EVALUATE_SHARD_FILE = 'folds.json';

export interface EvaluateShardStageInput {
  sources: EvaluationSources;
  settings: FoldSettings;
  shard: number;
  shards: number;
  /** Replaced atomically: folds.json (+ run-log.jsonl, the only file that varies between identical runs). */
  outDir: string;
  journalDir: string;
  log?: Log;
}

/** What one shard target leaves for the evaluate aggregator: its folds, each under the key that determines it. */
export interface EvaluateShardOutput {
  format: 'nx-tinyml/evaluate-shard@1';
  shard: number;
  shards: number;
  folds: { key: string; result: FoldResult }[];
}

/** The folds shard `shard` of `shards` evaluates: every `shards`-th of the evaluated folds, in order. */
export function shardFolds(folds: readonly string[], shard: number, shards: number): string[] {
  return folds.filter((_, i) => i % shards === shard);
}

/**
 * One `evaluate-s<shard>` target: the outer folds it owns, each trained, calibrated, quantised and scored
 * (evaluate/fold-evaluation). A shard with no fold (more shards than folds) writes an empty list.
 */
export async function runEvaluateShardStage(input: EvaluateShardStageInput): Promise<EvaluateShardOutput> {
  const log = input.log ?? silentLog;
  const context = await loadEvaluationContext(input.sources, input.settings);
  const mine = shardFolds(context.folds, input.shard, input.shards);
  log(`evaluate-s${input.shard}: ${mine.length} of ${context.folds.length} fold(s)${mine.length > 0 ? `: ${mine.join(', ')}` : ''}`);
  const { results, timings } = await runFolds(context, mine, input.settings, input.journalDir, log);
  const output: EvaluateShardOutput = {
    format: 'nx-tinyml/evaluate-shard@1',
    shard: input.shard,
    shards: input.shards,
    folds: results.map((result) => ({ key: context.foldKey(result.fold), result })),
  };
  await replaceDirAtomic(input.outDir, async (dir) => {
    await writeFile(path.join(dir, EVALUATE_SHARD_FILE), `${canonicalJson(output, 1)}\n`);
    await writeFile(path.join(dir, 'run-log.jsonl'), timings.map((t) => JSON.stringify(t)).join('\n') + (timings.length > 0 ? '\n' : ''));
  });
  return output;
}
