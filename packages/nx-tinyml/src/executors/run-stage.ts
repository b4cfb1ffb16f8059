import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ExecutorContext, ProjectConfiguration } from '@nx/devkit';
import { isUserError, UserError } from '@nx-tinyml/core/common/errors';
import { describeFileSystemError } from '@nx-tinyml/core/common/fs-errors';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { dieWithParent } from '@nx-tinyml/core/common/parent-watch';
import { lockStage } from '@nx-tinyml/core/common/stage-lock';
import { sweepStaleTemps } from '@nx-tinyml/core/common/temp-paths';
import { loadSpec } from '@nx-tinyml/core/spec/load';
import type { NormalizedSpec } from '@nx-tinyml/core/spec/types';
import { stageContract, type FingerprintedStage } from '@nx-tinyml/core/pipeline/stage-contracts';
import { experimentOutputRoot } from './experiment-output-root';
import { hashedParamsMismatch } from './hashed-params-check';

export interface StageExecutorContext {
  spec: NormalizedSpec;
  workspaceRoot: string;
  /** `<outputRoot>/<name>/<stage>` (or any other folder under it, e.g. `search-shards`), absolute. */
  outDir: (stage: FingerprintedStage | 'search-shards' | 'evaluate-shards') => string;
  /** `dist/.journals/<name>`: trial journals, outside every cached output so they survive a restore. */
  journalDir: string;
}

/**
 * Finds and loads the spec of an experiment project; throws a UserError naming file:line:column when it is bad,
 * or when it is not what Nx hashed for the task (the stage's params file): results of other settings than the key
 * says must not be cached.
 */
export async function loadStageContext(
  context: Pick<ExecutorContext, 'root' | 'projectsConfigurations'>,
  projectName: string,
  stage: FingerprintedStage,
): Promise<StageExecutorContext> {
  const project = context.projectsConfigurations.projects[projectName];
  const specFile = path.join(context.root, project.root, 'experiment.yaml');
  const spec = await loadSpec(path.relative(context.root, specFile), { workspaceRoot: context.root });
  const mismatch = hashedParamsMismatch(context.root, projectName, stage, spec);
  if (mismatch !== null) {
    throw new UserError(
      `the stage parameters Nx hashed for ${projectName}:${stage} are stale: ${mismatch} (the spec changed while Nx ran, or an Nx daemon runs an older nx-tinyml: run \`nx reset\`); nothing was cached, run it again`,
    );
  }
  const outputRoot = experimentOutputRoot(context.root, project, projectName);
  return { spec, workspaceRoot: context.root, outDir: (s) => path.join(outputRoot, s), journalDir: path.join(context.root, 'dist', '.journals', spec.name) };
}

/** A target's declared outputs, absolute (`{workspaceRoot}` and `{projectRoot}` resolved). */
export function declaredOutputs(
  root: string,
  project: Pick<ProjectConfiguration, 'root' | 'targets'>,
  targetName: string,
  outputs = project.targets?.[targetName]?.outputs ?? [],
): string[] {
  return outputs.map((output) => path.resolve(root, output.replace('{workspaceRoot}', '.').replace('{projectRoot}', project.root)));
}

/** The running target's declared outputs, absolute. */
function targetOutputs(context: ExecutorContext): string[] {
  const project = context.projectsConfigurations.projects[context.projectName as string];
  return declaredOutputs(context.root, project, context.targetName as string, context.target?.outputs);
}

/**
 * What every run of a target does before it starts, batched or not: takes the experiment+target lock
 * (`dist/.locks/<project>/<project>:<target>.lock`; a concurrent run of the same target is refused with a UserError
 * naming the holder's pid, a dead holder's lock taken over), then clears the target's outputs, so a failure never
 * leaves an earlier run's results beside the new error. Outputs are only cleared once the lock is held: a refused
 * run never deletes what the running one writes. Returns the release.
 */
export async function claimTarget(
  root: string,
  projectName: string,
  targetName: string,
  outputs: string[],
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const release = await lockStage(path.join(root, 'dist', '.locks', projectName), `${projectName}:${targetName}`, log);
  try {
    for (const output of outputs) rmSync(output, { recursive: true, force: true });
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}

/** Signals that end a stage run: turned into an exit so temp folders and the lock are released on the way out. */
const EXIT_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * The process-level guards of an executor: it dies with the command that started it (dieWithParent, so killing the
 * `npx` wrapper never orphans a training run), and SIGINT/SIGTERM/SIGHUP become exits, which release locks and
 * remove temp folders. Returns the function that removes the guards.
 */
export function guardExecutorProcess(stage: string, label: string): () => void {
  const stopWatching = dieWithParent((gone) => {
    consoleLog(`nx-tinyml ${stage}: the command that started ${label} (pid ${gone}) has ended; stopping`);
    process.exit(1);
  });
  const onSignal = (signal: keyof typeof EXIT_SIGNALS) => process.exit(EXIT_SIGNALS[signal]);
  for (const signal of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.once(signal, onSignal);
  return () => {
    stopWatching();
    for (const signal of Object.keys(EXIT_SIGNALS) as (keyof typeof EXIT_SIGNALS)[]) process.removeListener(signal, onSignal);
  };
}

/**
 * The glue every stage executor shares. It dies with the command that started it (dieWithParent), sweeps temp
 * folders that killed runs left, takes the experiment+target lock (a concurrent run of the same target is refused,
 * naming the holder's pid), clears the target's outputs so a failure never leaves an earlier run's results beside
 * the new error, finds and loads the project's spec (checked against what Nx hashed) and runs the stage. A user error (bad spec, corrupt archive, a
 * full disk, …) becomes its message and a failed task, never a stack trace. The search shards' batch executor
 * (search-shard-batch.ts) does the same per task through claimTarget and guardExecutorProcess.
 */
export async function runStageExecutor(
  stage: FingerprintedStage,
  context: ExecutorContext,
  run: (stageContext: StageExecutorContext) => Promise<void>,
): Promise<{ success: boolean }> {
  const label = `${context.projectName}:${context.targetName ?? stage}`;
  const outputs = targetOutputs(context);
  const unguard = guardExecutorProcess(stage, label);
  let release: (() => Promise<void>) | undefined;
  try {
    if (!stageContract(stage).implemented) {
      consoleLog(`nx-tinyml: stage "${stage}" is not implemented yet; no output was written.`);
      return { success: false };
    }
    await sweepStaleTemps();
    release = await claimTarget(context.root, context.projectName as string, context.targetName ?? stage, outputs, (line) =>
      consoleLog(`nx-tinyml ${stage}: ${line}`),
    );
    await run(await loadStageContext(context, context.projectName as string, stage));
    return { success: true };
  } catch (error) {
    const message = stageFailureMessage(error, outputs[0] ? path.relative(context.root, outputs[0]) : undefined);
    if (message === null) throw error;
    consoleLog(`nx-tinyml ${stage}: ${message}`);
    return { success: false };
  } finally {
    await release?.();
    unguard();
  }
}

/** A user error's message or a described file-system error (naming `where`); null for a bug, which keeps its stack. */
export function stageFailureMessage(error: unknown, where?: string): string | null {
  if (isUserError(error)) return error.message;
  return describeFileSystemError(error, where);
}
