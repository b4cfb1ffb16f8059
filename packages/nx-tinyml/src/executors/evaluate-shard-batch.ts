import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { ExecutorContext, TaskGraph, TaskGraphExecutor } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { sweepStaleTemps } from '@nx-tinyml/core/common/temp-paths';
import { runEvaluateShards } from '@nx-tinyml/core/stages/evaluate-shard';
import type { EvaluateShardExecutorOptions } from './evaluate-shard';
import { evaluationInputs } from './evaluation-inputs';
import { claimTarget, declaredOutputs, guardExecutorProcess, loadStageContext, stageFailureMessage } from './run-stage';

/** One task's result as a batch executor reports it (nx's BatchExecutorTaskResult, not exported by @nx/devkit). */
interface ShardTaskResult {
  task: string;
  result: { success: boolean; status?: 'success' | 'failure' | 'skipped'; terminalOutput: string; startTime: number; endTime: number };
}

/**
 * The evaluate shard targets' `batchImplementation`: the `evaluate-s<j>` tasks Nx hands over run in this one
 * process, per experiment. The window store is loaded once and the folds of all its shards share one pool of
 * threads (one per shard, at most one per core), a fold to each thread as it frees up; so a slow subject no longer
 * leaves a core idle while the other shard still has folds. Each shard's output is byte-identical to what its own
 * process would write.
 *
 * Each task is prepared as the single-task executor prepares it (run-stage.ts): the process dies with the command
 * that started it, stale temp folders are swept, each task takes its experiment+target lock and has its outputs
 * cleared (claimTarget). A task whose lock another run holds fails naming that run's pid, its outputs untouched.
 */
export async function* evaluateShardBatch(
  taskGraph: TaskGraph,
  options: Record<string, EvaluateShardExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
  runShards: typeof runEvaluateShards = runEvaluateShards,
): AsyncGenerator<ShardTaskResult> {
  const unguard = guardExecutorProcess('evaluate', `the evaluate-shard batch (${Object.keys(taskGraph.tasks).join(', ')})`);
  try {
    await sweepStaleTemps();
    const byProject = new Map<string, string[]>();
    for (const id of Object.keys(taskGraph.tasks)) {
      const project = taskGraph.tasks[id].target.project as string;
      byProject.set(project, [...(byProject.get(project) ?? []), id]);
    }
    for (const [project, ids] of byProject) yield* runProject(project, ids, taskGraph, options, context, runShards);
  } finally {
    unguard();
  }
}

async function* runProject(
  project: string,
  ids: string[],
  taskGraph: TaskGraph,
  options: Record<string, EvaluateShardExecutorOptions>,
  context: ExecutorContext,
  runShards: typeof runEvaluateShards,
): AsyncGenerator<ShardTaskResult> {
  const startTime = Date.now();
  const releases: (() => Promise<void>)[] = [];
  try {
    const runnable: string[] = [];
    for (const id of ids) {
      const target = taskGraph.tasks[id].target.target;
      const outputs = declaredOutputs(context.root, context.projectsConfigurations.projects[project], target);
      try {
        releases.push(await claimTarget(context.root, project, target, outputs, (line) => consoleLog(`${target} | nx-tinyml evaluate: ${line}`)));
        runnable.push(id);
      } catch (error) {
        const message = stageFailureMessage(error, outputs[0] ? path.relative(context.root, outputs[0]) : undefined);
        if (message === null) throw error;
        consoleLog(`${target} | nx-tinyml evaluate: ${message}`);
        yield { task: id, result: { success: false, terminalOutput: `nx-tinyml evaluate: ${message}\n`, startTime, endTime: Date.now() } };
      }
    }
    if (runnable.length === 0) return;
    const shardOf = (id: string) => options[id].shard;
    const targetOf = new Map(runnable.map((id) => [shardOf(id), taskGraph.tasks[id].target.target]));
    const output = new Map<number, string[]>(runnable.map((id) => [shardOf(id), []]));
    let failure: string | null = null;
    try {
      const stage = await loadStageContext(context, project, 'evaluate');
      const { sources, settings, journalDir } = evaluationInputs(stage);
      await runShards({
        sources,
        settings,
        shards: options[runnable[0]].shards,
        run: runnable.map(shardOf),
        outDir: (shard) => path.join(stage.outDir('evaluate-shards'), `s${shard}`),
        journalDir,
        workers: Math.min(runnable.length, availableParallelism()),
        log: (shard) => (line) => {
          // live, since folds train for minutes; Nx shows each task's record again when the batch ends
          consoleLog(`${targetOf.get(shard)} | ${line}`);
          output.get(shard)!.push(line);
        },
      });
    } catch (error) {
      const message = stageFailureMessage(error);
      failure = message !== null ? `nx-tinyml evaluate: ${message}` : ((error as Error).stack ?? String(error));
    }
    const endTime = Date.now();
    for (const id of runnable) {
      const lines = [...output.get(shardOf(id))!, ...(failure ? [failure] : [])];
      yield { task: id, result: { success: failure === null, terminalOutput: lines.map((line) => `${line}\n`).join(''), startTime, endTime } };
    }
  } finally {
    for (const release of releases) await release();
  }
}

// Nx awaits the batch executor and then iterates what it returns, reporting each task as it is yielded.
const batchExecutor: TaskGraphExecutor<EvaluateShardExecutorOptions> = async (taskGraph, options, overrides, context) =>
  evaluateShardBatch(taskGraph, options, overrides, context);
export default batchExecutor;
