import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runEmitFirmwareStage } from '@nx-tinyml/core/stages/emit-firmware';
import { runStageExecutor } from './run-stage';

export default async function emitFirmwareExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('emit-firmware', context, async ({ spec, workspaceRoot, outDir }) => {
    await runEmitFirmwareStage({
      experiment: spec.name,
      format: spec['emit-firmware'].format,
      board: spec.boardDefinition,
      postProcessing: spec.evaluate.postProcessing,
      quantizeDir: outDir('quantize'),
      outDir: outDir('emit-firmware'),
      workspaceRoot,
      log: consoleLog,
    });
  });
}
