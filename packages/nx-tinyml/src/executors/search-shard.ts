import type { ExecutorContext } from '@nx/devkit';
import { consoleLog, type Log } from '@nx-tinyml/core/common/log';
import { runSearchShards } from '@nx-tinyml/core/stages/search-shard';
import { runStageExecutor, type StageExecutorContext } from './run-stage';

/** Set by the plugin on each `search-r<round>-s<shard>` target. */
export interface SearchShardExecutorOptions {
  round: number;
  shard: number;
  shards: number;
}

/** One shard as its own task (`--batch=false`, or one shard per machine); search-shard-batch.ts runs many at once. */
export default async function searchShardExecutor(options: SearchShardExecutorOptions, context: ExecutorContext) {
  return runStageExecutor('search', context, async ({ spec, outDir, journalDir }) => {
    await runSearchShards(searchShardsInput({ spec, outDir, journalDir }, options.round, options.shards, [options.shard], () => consoleLog));
  });
}

/** What runSearchShards needs for `run` (shards of round `round` of `shards`), from the project's spec and folders. */
export function searchShardsInput(
  { spec, outDir, journalDir }: Pick<StageExecutorContext, 'spec' | 'outDir' | 'journalDir'>,
  round: number,
  shards: number,
  run: number[],
  log: (shard: number) => Log,
): Parameters<typeof runSearchShards>[0] {
  return {
    search: spec.search,
    precision: spec.train.precision,
    seed: spec.seed,
    board: spec.boardDefinition,
    windowDir: outDir('window'),
    journalDir,
    resultsDir: outDir('search-shards'),
    round,
    shards,
    run,
    log,
  };
}
