import type { ExecutorContext, TaskGraph, TaskGraphExecutor } from '@nx/devkit';
import { sweepStaleTemps } from '@nx-tinyml/core/common/temp-paths';
import { runSearchShards } from '@nx-tinyml/core/stages/search-shard';
import { claimBatchTasks, runShardTasks, type BatchTaskResult } from './batch-tasks';
import { guardExecutorProcess, loadStageContext, type StageExecutorContext } from './run-stage';
import { searchShardsInput, type SearchShardExecutorOptions } from './search-shard';

/**
 * The shard targets' `batchImplementation`: every shard task Nx hands over (all rounds, of one or several
 * experiments) runs in this one process. Tasks run round by round in dependency order; the shards of one round of
 * one experiment run together on the search's worker threads (runSearchShards), so a batch costs one process and
 * one thread pool per round instead of one process per shard. Progress is printed as it happens; results, with
 * each task's own log, are reported per task as its round ends.
 *
 * Each task is prepared exactly as the single-task executor prepares it (run-stage.ts): the process dies with the
 * command that started it, stale temp folders are swept, and before a round runs every task in it takes its own
 * experiment+target lock and has its declared outputs cleared (claimTarget). A task whose lock another run holds
 * fails with that run's pid, its outputs untouched, and the round's other shards go on; the locks are released when
 * the round ends, however it ends.
 */
export async function* searchShardBatch(
  taskGraph: TaskGraph,
  options: Record<string, SearchShardExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
  runShards: typeof runSearchShards = runSearchShards,
): AsyncGenerator<BatchTaskResult> {
  const unguard = guardExecutorProcess('search', `the search-shard batch (${Object.keys(taskGraph.tasks).join(', ')})`);
  try {
    await sweepStaleTemps();
    yield* runBatch(taskGraph, options, context, runShards);
  } finally {
    unguard();
  }
}

async function* runBatch(
  taskGraph: TaskGraph,
  options: Record<string, SearchShardExecutorOptions>,
  context: ExecutorContext,
  runShards: typeof runSearchShards,
): AsyncGenerator<BatchTaskResult> {
  const finished = new Map<string, boolean>();
  const inBatch = (id: string) => id in taskGraph.tasks;
  const experiments = new Map<string, Promise<StageExecutorContext>>();
  while (finished.size < Object.keys(taskGraph.tasks).length) {
    const ready = Object.keys(taskGraph.tasks).filter(
      (id) => !finished.has(id) && taskGraph.dependencies[id].every((edge) => !inBatch(edge.id) || finished.has(edge.id)),
    );
    if (ready.length === 0)
      throw new Error(`search-shard batch: no runnable task among ${Object.keys(taskGraph.tasks).length - finished.size} left (dependency cycle?)`);
    const groups = new Map<string, string[]>();
    for (const id of ready) {
      const key = `${taskGraph.tasks[id].target.project}\0${options[id].round}`;
      groups.set(key, [...(groups.get(key) ?? []), id]);
    }
    for (const ids of groups.values()) {
      const startTime = Date.now();
      const failedDependency = (id: string) => taskGraph.dependencies[id].find((edge) => finished.get(edge.id) === false)?.id;
      const unblocked = ids.filter((id) => !failedDependency(id));
      for (const id of ids.filter((id) => failedDependency(id))) {
        finished.set(id, false);
        yield {
          task: id,
          result: { success: false, status: 'skipped', terminalOutput: `skipped: ${failedDependency(id)} failed\n`, startTime, endTime: Date.now() },
        };
      }
      if (unblocked.length === 0) continue;
      const project = taskGraph.tasks[unblocked[0]].target.project;
      const { runnable, refused, release } = await claimBatchTasks(context, taskGraph, project, unblocked, 'search', startTime);
      try {
        for (const result of refused) {
          finished.set(result.task, false);
          yield result;
        }
        if (runnable.length === 0) continue;
        const { round, shards } = options[runnable[0]];
        const tasks = runnable.map((id) => ({ id, shard: options[id].shard, target: taskGraph.tasks[id].target.target }));
        const results = await runShardTasks('search', tasks, startTime, async (log) => {
          if (!experiments.has(project)) experiments.set(project, loadStageContext(context, project, 'search'));
          await runShards(
            searchShardsInput(
              await experiments.get(project)!,
              round,
              shards,
              tasks.map((t) => t.shard),
              log,
            ),
          );
        });
        for (const result of results) {
          finished.set(result.task, result.result.success);
          yield result;
        }
      } finally {
        await release();
      }
    }
  }
}

// Nx awaits the batch executor and then iterates what it returns, reporting each task as it is yielded.
const batchExecutor: TaskGraphExecutor<SearchShardExecutorOptions> = (taskGraph, options, overrides, context) =>
  Promise.resolve(searchShardBatch(taskGraph, options, overrides, context));
export default batchExecutor;
