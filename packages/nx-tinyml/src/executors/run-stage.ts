import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { isUserError } from '@nx-tinyml/core/common/errors';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { loadSpec } from '@nx-tinyml/core/spec/load';
import type { NormalizedSpec } from '@nx-tinyml/core/spec/types';
import { stageContract, type FingerprintedStage } from '@nx-tinyml/core/stages/pipeline';

export interface StageExecutorContext {
  spec: NormalizedSpec;
  workspaceRoot: string;
  /** `dist/experiments/<name>/<stage>` (or any other folder under it, e.g. `search-shards`), absolute. */
  outDir(stage: FingerprintedStage | 'search-shards' | 'evaluate-shards'): string;
  /** `dist/.journals/<name>`: trial journals, outside every cached output so they survive a restore. */
  journalDir: string;
}

/** Finds and loads the spec of an experiment project; throws a UserError naming file:line:column when it is bad. */
export async function loadStageContext(context: Pick<ExecutorContext, 'root' | 'projectsConfigurations'>, projectName: string): Promise<StageExecutorContext> {
  const project = context.projectsConfigurations.projects[projectName];
  const specFile = path.join(context.root, project.root, 'experiment.yaml');
  const spec = await loadSpec(path.relative(context.root, specFile), { workspaceRoot: context.root });
  const outputRoot = path.join(context.root, 'dist', 'experiments', projectName);
  return { spec, workspaceRoot: context.root, outDir: (s) => path.join(outputRoot, s), journalDir: path.join(context.root, 'dist', '.journals', spec.name) };
}

/**
 * The glue every stage executor shares: find and load the project's spec, run the stage function, and turn a
 * user error (bad spec, corrupt archive, ...) into its message and a failed task, never a stack trace.
 */
export async function runStageExecutor(
  stage: FingerprintedStage,
  context: ExecutorContext,
  run: (stageContext: StageExecutorContext) => Promise<void>,
): Promise<{ success: boolean }> {
  try {
    if (!stageContract(stage).implemented) {
      consoleLog(`nx-tinyml: stage "${stage}" is not implemented yet; no output was written.`);
      return { success: false };
    }
    await run(await loadStageContext(context, context.projectName as string));
    return { success: true };
  } catch (error) {
    if (isUserError(error)) {
      consoleLog(`nx-tinyml ${stage}: ${error.message}`);
      return { success: false };
    }
    throw error;
  }
}
