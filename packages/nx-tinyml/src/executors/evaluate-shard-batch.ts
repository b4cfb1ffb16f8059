import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { ExecutorContext, TaskGraph, TaskGraphExecutor } from '@nx/devkit';
import { sweepStaleTemps } from '@nx-tinyml/core/common/temp-paths';
import { runEvaluateShards } from '@nx-tinyml/core/stages/evaluate-shard';
import type { EvaluateShardExecutorOptions } from './evaluate-shard';
import { evaluationInputs } from './evaluation-inputs';
import { claimBatchTasks, runShardTasks, type BatchTaskResult } from './batch-tasks';
import { guardExecutorProcess, loadStageContext } from './run-stage';

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
): AsyncGenerator<BatchTaskResult> {
  const unguard = guardExecutorProcess('evaluate', `the evaluate-shard batch (${Object.keys(taskGraph.tasks).join(', ')})`);
  try {
    await sweepStaleTemps();
    const byProject = new Map<string, string[]>();
    for (const id of Object.keys(taskGraph.tasks)) {
      const project = taskGraph.tasks[id].target.project;
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
): AsyncGenerator<BatchTaskResult> {
  const startTime = Date.now();
  const { runnable, refused, release } = await claimBatchTasks(context, taskGraph, project, ids, 'evaluate', startTime);
  try {
    yield* refused;
    if (runnable.length === 0) return;
    const tasks = runnable.map((id) => ({ id, shard: options[id].shard, target: taskGraph.tasks[id].target.target }));
    yield* await runShardTasks('evaluate', tasks, startTime, async (log) => {
      const stage = await loadStageContext(context, project, 'evaluate');
      const { sources, settings, journalDir } = evaluationInputs(stage);
      await runShards({
        sources,
        settings,
        shards: options[runnable[0]].shards,
        run: tasks.map((t) => t.shard),
        outDir: (shard) => path.join(stage.outDir('evaluate-shards'), `s${shard}`),
        journalDir,
        workers: Math.min(tasks.length, availableParallelism()),
        log,
      });
    });
  } finally {
    await release();
  }
}

// Nx awaits the batch executor and then iterates what it returns, reporting each task as it is yielded.
const batchExecutor: TaskGraphExecutor<EvaluateShardExecutorOptions> = (taskGraph, options, overrides, context) =>
  Promise.resolve(evaluateShardBatch(taskGraph, options, overrides, context));
export default batchExecutor;
