import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runEvaluateStage } from '@nx-tinyml/core/stages/evaluate';
import { runStageExecutor, type StageExecutorContext } from './run-stage';

/** Set by the plugin: how many `evaluate-s<shard>` targets ran before (their folds are taken, not retrained). */
export interface EvaluateExecutorOptions {
  shards?: number;
}

/** What the evaluate aggregator and its shards read, from the project's spec and output folders. */
export function evaluationInputs({ spec, outDir, journalDir, workspaceRoot }: StageExecutorContext) {
  return {
    sources: { windowDir: outDir('window'), searchDir: outDir('search'), cascadeDir: outDir('train-cascade'), specFile: path.relative(workspaceRoot, spec.file) },
    settings: { windowDir: outDir('window'), seed: spec.seed, cascade: spec['train-cascade'], quantize: spec.quantize, evaluate: spec.evaluate, precision: spec.train.precision },
    journalDir: path.join(journalDir, 'evaluate'),
  };
}

export default async function evaluateExecutor(options: EvaluateExecutorOptions, context: ExecutorContext) {
  return runStageExecutor('evaluate', context, async (stage) => {
    await runEvaluateStage({
      ...evaluationInputs(stage),
      experiment: stage.spec.name,
      shardDirs: Array.from({ length: options.shards ?? 0 }, (_, shard) => path.join(stage.outDir('evaluate-shards'), `s${shard}`)),
      outDir: stage.outDir('evaluate'),
      log: consoleLog,
    });
  });
}
