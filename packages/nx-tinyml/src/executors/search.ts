import type { ExecutorContext } from '@nx/devkit';
import { runStageExecutor } from './run-stage';

export default async function searchExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('search', context, async () => undefined);
}
