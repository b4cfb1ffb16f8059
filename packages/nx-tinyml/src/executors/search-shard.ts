import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runSearchShards } from '@nx-tinyml/core/stages/search-shard';
import { runStageExecutor } from './run-stage';

/** Set by the plugin on each `search-r<round>-s<shard>` target. */
export interface SearchShardExecutorOptions {
  round: number;
  shard: number;
  shards: number;
}

/** One shard as its own task (`--batch=false`, or one shard per machine); search-shard-batch.ts runs many at once. */
export default async function searchShardExecutor(options: SearchShardExecutorOptions, context: ExecutorContext) {
  return runStageExecutor('search', context, async ({ spec, outDir, journalDir }) => {
    await runSearchShards({
      search: spec.search,
      precision: spec.train.precision,
      seed: spec.seed,
      board: spec.boardDefinition,
      windowDir: outDir('window'),
      journalDir,
      resultsDir: outDir('search-shards'),
      round: options.round,
      shards: options.shards,
      run: [options.shard],
      log: () => consoleLog,
    });
  });
}
