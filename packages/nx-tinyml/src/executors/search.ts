import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runSearchStage } from '@nx-tinyml/core/stages/search';
import { runStageExecutor } from './run-stage';

/** Set by the plugin when `searchShards` is on: the shard targets this search assembles. */
export interface SearchExecutorOptions {
  rounds?: number;
  shards?: number;
}

export default async function searchExecutor(options: SearchExecutorOptions, context: ExecutorContext) {
  return runStageExecutor('search', context, async ({ spec, outDir, journalDir }) => {
    await runSearchStage({
      experiment: spec.name,
      search: spec.search,
      precision: spec.train.precision,
      seed: spec.seed,
      board: spec.boardDefinition,
      windowDir: outDir('window'),
      outDir: outDir('search'),
      journalDir,
      shardResults: options.shards ? { dir: outDir('search-shards'), rounds: options.rounds ?? 1, shards: options.shards } : undefined,
      log: consoleLog,
    });
  });
}
