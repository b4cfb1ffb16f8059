import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runWindowStage } from '@nx-tinyml/core/stages/window';
import { runStageExecutor } from './run-stage';

export default async function windowExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('window', context, async ({ spec, workspaceRoot, outDir }) => {
    await runWindowStage({
      experiment: spec.name,
      dataset: spec.dataset,
      window: spec.window,
      outDir: outDir('window'),
      workspaceRoot,
      log: consoleLog,
    });
  });
}
