import type { ExecutorContext } from '@nx/devkit';
import { runStageExecutor } from './run-stage';

export default async function quantizeExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('quantize', context, async () => undefined);
}
