import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runQuantizeStage } from '@nx-tinyml/core/stages/quantize';
import { runStageExecutor } from './run-stage';

export default async function quantizeExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('quantize', context, async ({ spec, outDir }) => {
    await runQuantizeStage({
      experiment: spec.name,
      quantize: spec.quantize,
      seed: spec.seed,
      board: spec.boardDefinition,
      windowDir: outDir('window'),
      cascadeDir: outDir('train-cascade'),
      outDir: outDir('quantize'),
      log: consoleLog,
    });
  });
}
