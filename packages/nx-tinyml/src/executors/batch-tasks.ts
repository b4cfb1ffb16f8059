import * as path from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { consoleLog, type Log } from '@nx-tinyml/core/common/log';
import { claimTarget, declaredOutputs, stageFailureMessage } from './run-stage';

/** One task's result as a batch executor reports it (nx's BatchExecutorTaskResult, not exported by @nx/devkit). */
export interface BatchTaskResult {
  task: string;
  result: { success: boolean; status?: 'success' | 'failure' | 'skipped'; terminalOutput: string; startTime: number; endTime: number };
}

/**
 * Prepares the tasks of one project in a batch as runStageExecutor prepares one task: each takes its experiment+target
 * lock and has its declared outputs cleared (claimTarget). A task whose lock another run holds is refused with that
 * run's pid, its outputs untouched; the others go on. `release` gives every lock taken back.
 */
export async function claimBatchTasks(
  context: ExecutorContext,
  taskGraph: TaskGraph,
  project: string,
  ids: readonly string[],
  stage: string,
  startTime: number,
): Promise<{ runnable: string[]; refused: BatchTaskResult[]; release: () => Promise<void> }> {
  const releases: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const r of releases.splice(0)) await r();
  };
  const runnable: string[] = [];
  const refused: BatchTaskResult[] = [];
  try {
    for (const id of ids) {
      const target = taskGraph.tasks[id].target.target;
      const outputs = declaredOutputs(context.root, context.projectsConfigurations.projects[project], target);
      try {
        releases.push(await claimTarget(context.root, project, target, outputs, (line) => consoleLog(`${target} | nx-tinyml ${stage}: ${line}`)));
        runnable.push(id);
      } catch (error) {
        const message = stageFailureMessage(error, outputs[0] ? path.relative(context.root, outputs[0]) : undefined);
        if (message === null) throw error;
        consoleLog(`${target} | nx-tinyml ${stage}: ${message}`);
        refused.push({ task: id, result: { success: false, terminalOutput: `nx-tinyml ${stage}: ${message}\n`, startTime, endTime: Date.now() } });
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { runnable, refused, release };
}

/**
 * Runs the shards of claimed tasks together (`run` gets a log per shard) and gives each task its own record: its
 * shard's lines, printed live prefixed with the target (a batch can train for hours; Nx shows each record again when
 * the task ends), and the failure, if any, for every task of the run.
 */
export async function runShardTasks(
  stage: string,
  tasks: readonly { id: string; shard: number; target: string }[],
  startTime: number,
  run: (log: (shard: number) => Log) => Promise<void>,
): Promise<BatchTaskResult[]> {
  const output = new Map<number, string[]>(tasks.map((t) => [t.shard, []]));
  const targetOf = new Map(tasks.map((t) => [t.shard, t.target]));
  let failure: string | null = null;
  try {
    await run((shard) => (line) => {
      consoleLog(`${targetOf.get(shard)} | ${line}`);
      output.get(shard)!.push(line);
    });
  } catch (error) {
    const message = stageFailureMessage(error);
    failure = message !== null ? `nx-tinyml ${stage}: ${message}` : ((error as Error).stack ?? String(error));
  }
  const endTime = Date.now();
  return tasks.map(({ id, shard }) => {
    const lines = [...output.get(shard)!, ...(failure ? [failure] : [])];
    return { task: id, result: { success: failure === null, terminalOutput: lines.map((line) => `${line}\n`).join(''), startTime, endTime } };
  });
}
