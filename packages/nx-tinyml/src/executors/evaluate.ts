import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runEvaluateStage } from '@nx-tinyml/core/stages/evaluate';
import { evaluationInputs } from './evaluation-inputs';
import { runStageExecutor } from './run-stage';

/** Set by the plugin: how many `evaluate-s<shard>` targets ran before (their folds are taken, not retrained). */
export interface EvaluateExecutorOptions {
  shards?: number;
}

export default async function evaluateExecutor(options: EvaluateExecutorOptions, context: ExecutorContext) {
  return runStageExecutor('evaluate', context, async (stage) => {
    await runEvaluateStage({
      ...evaluationInputs(stage),
      experiment: stage.spec.name,
      shardDirs: Array.from({ length: options.shards ?? 0 }, (_, shard) => path.join(stage.outDir('evaluate-shards'), `s${shard}`)),
      outDir: stage.outDir('evaluate'),
      workers: availableParallelism(),
      log: consoleLog,
    });
  });
}
