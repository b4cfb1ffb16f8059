import type { ExecutorContext } from '@nx/devkit';
import { runStageExecutor } from './run-stage';

export default async function flashTestExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('flash-test', context, async () => undefined);
}
