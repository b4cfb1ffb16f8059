import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runTrainCascadeStage } from '@nx-tinyml/core/stages/train-cascade';
import { runStageExecutor } from './run-stage';

export default async function trainCascadeExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('train-cascade', context, async ({ spec, outDir }) => {
    await runTrainCascadeStage({
      experiment: spec.name,
      cascade: spec['train-cascade'],
      seed: spec.seed,
      precision: spec.train.precision,
      board: spec.boardDefinition,
      windowDir: outDir('window'),
      searchDir: outDir('search'),
      outDir: outDir('train-cascade'),
      log: consoleLog,
    });
  });
}
