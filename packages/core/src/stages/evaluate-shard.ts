import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { silentLog, type Log } from '../common/log';
import { loadEvaluationContext, type EvaluationSources } from '../evaluate/context';
import type { FoldSettings } from '../evaluate/fold-evaluation';
import { runFolds } from '../evaluate/run-folds';
import { EVALUATE_SHARD_FORMAT, writeEvaluateShardOutput, type EvaluateShardOutput } from '../evaluate/shard-output';

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
  const [output] = await runEvaluateShards({ ...input, run: [input.shard], outDir: () => input.outDir, workers: 1, log: () => log });
  return output;
}

export interface EvaluateShardsStageInput {
  sources: EvaluationSources;
  settings: FoldSettings;
  shards: number;
  /** The shards to evaluate in this process. */
  run: number[];
  /** Each shard's output folder, replaced atomically as runEvaluateShardStage does. */
  outDir: (shard: number) => string;
  journalDir: string;
  /** Threads the folds of all `run` shards share (each fold trains on one). */
  workers: number;
  log?: (shard: number) => Log;
}

/**
 * Several `evaluate-s<shard>` targets in one process (the shards' batch executor): the data is loaded once, the
 * folds of every shard in `run` share `workers` threads, taken in order as threads free up (so a slow subject does
 * not leave a core idle while the other shard has folds left), and each shard's output is byte-identical to what
 * runEvaluateShardStage writes for it alone.
 */
export async function runEvaluateShards(input: EvaluateShardsStageInput): Promise<EvaluateShardOutput[]> {
  const logOf = input.log ?? (() => silentLog);
  const context = await loadEvaluationContext(input.sources, input.settings);
  const owned = new Map(input.run.map((shard) => [shard, shardFolds(context.folds, shard, input.shards)]));
  const shardOf = new Map<string, number>();
  for (const [shard, folds] of owned) {
    for (const fold of folds) shardOf.set(fold, shard);
    logOf(shard)(`evaluate-s${shard}: ${folds.length} of ${context.folds.length} fold(s)${folds.length > 0 ? `: ${folds.join(', ')}` : ''}`);
  }
  const all = [...owned.values()].flat();
  const first = input.run[0];
  const { results, timings } = await runFolds(
    context,
    all,
    input.settings,
    input.journalDir,
    logOf(first),
    { workers: input.workers, sources: input.sources },
    (fold) => logOf(shardOf.get(fold)!),
  );
  const outputs: EvaluateShardOutput[] = [];
  for (const [shard, folds] of owned) {
    const mine = (fold: string) => folds.includes(fold);
    const output: EvaluateShardOutput = {
      format: EVALUATE_SHARD_FORMAT,
      shard,
      shards: input.shards,
      folds: results.filter((result) => mine(result.fold)).map((result) => ({ key: context.foldKey(result.fold), result })),
    };
    const runLog = timings.filter((timing) => mine(timing.fold));
    await replaceDirAtomic(input.outDir(shard), async (dir) => {
      await writeEvaluateShardOutput(dir, output);
      await writeFile(path.join(dir, 'run-log.jsonl'), runLog.map((t) => JSON.stringify(t)).join('\n') + (runLog.length > 0 ? '\n' : ''));
    });
    outputs.push(output);
  }
  return outputs;
}
