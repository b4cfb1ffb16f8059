import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runEvaluateShardStage } from '@nx-tinyml/core/stages/evaluate-shard';
import { evaluationInputs } from './evaluation-inputs';
import { runStageExecutor } from './run-stage';

/** Set by the plugin on each `evaluate-s<shard>` target. */
export interface EvaluateShardExecutorOptions {
  shard: number;
  shards: number;
}

export default async function evaluateShardExecutor(options: EvaluateShardExecutorOptions, context: ExecutorContext) {
  return runStageExecutor('evaluate', context, async (stage) => {
    await runEvaluateShardStage({
      ...evaluationInputs(stage),
      shard: options.shard,
      shards: options.shards,
      outDir: path.join(stage.outDir('evaluate-shards'), `s${options.shard}`),
      log: consoleLog,
    });
  });
}
