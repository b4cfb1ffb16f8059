import type { ExecutorContext } from '@nx/devkit';
import { runStageExecutor } from './run-stage';

export default async function emitFirmwareExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('emit-firmware', context, async () => undefined);
}
