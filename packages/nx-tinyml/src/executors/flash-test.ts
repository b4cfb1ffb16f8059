import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runFlashTestStage } from '@nx-tinyml/core/stages/flash-test';
import { runStageExecutor } from './run-stage';

export default async function flashTestExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('flash-test', context, async ({ spec, workspaceRoot, outDir }) => {
    await runFlashTestStage({
      experiment: spec.name,
      runner: spec['flash-test'].runner,
      vectors: spec['flash-test'].vectors,
      board: spec.boardDefinition,
      firmwareDir: outDir('emit-firmware'),
      quantizeDir: outDir('quantize'),
      outDir: outDir('flash-test'),
      workspaceRoot,
      log: consoleLog,
    });
  });
}
