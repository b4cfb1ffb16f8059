import type { ExecutorContext } from '@nx/devkit';
import { runStageExecutor } from './run-stage';

export default async function trainCascadeExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('train-cascade', context, async () => undefined);
}
