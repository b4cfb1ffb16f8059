import type { ExecutorContext, TaskGraph, TaskGraphExecutor } from '@nx/devkit';
import { isUserError } from '@nx-tinyml/core/common/errors';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runSearchShards } from '@nx-tinyml/core/stages/search-shard';
import { loadStageContext, type StageExecutorContext } from './run-stage';
import type { SearchShardExecutorOptions } from './search-shard';

/** One task's result as a batch executor reports it (nx's BatchExecutorTaskResult, not exported by @nx/devkit). */
interface ShardTaskResult {
  task: string;
  result: { success: boolean; status?: 'success' | 'failure' | 'skipped'; terminalOutput: string; startTime: number; endTime: number };
}

/**
 * The shard targets' `batchImplementation`: every shard task Nx hands over (all rounds, of one or several
 * experiments) runs in this one process. Tasks run round by round in dependency order; the shards of one round of
 * one experiment run together on the search's worker threads (runSearchShards), so a batch costs one process and
 * one thread pool per round instead of one process per shard. Progress is printed as it happens; results, with
 * each task's own log, are reported per task as its round ends.
 */
async function* searchShardBatch(
  taskGraph: TaskGraph,
  options: Record<string, SearchShardExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<ShardTaskResult> {
  const finished = new Map<string, boolean>();
  const inBatch = (id: string) => id in taskGraph.tasks;
  const experiments = new Map<string, Promise<StageExecutorContext>>();
  while (finished.size < Object.keys(taskGraph.tasks).length) {
    const ready = Object.keys(taskGraph.tasks).filter(
      (id) => !finished.has(id) && taskGraph.dependencies[id].every((edge) => !inBatch(edge.id) || finished.has(edge.id)),
    );
    if (ready.length === 0) throw new Error(`search-shard batch: no runnable task among ${Object.keys(taskGraph.tasks).length - finished.size} left (dependency cycle?)`);
    const groups = new Map<string, string[]>();
    for (const id of ready) {
      const key = `${taskGraph.tasks[id].target.project}\0${options[id].round}`;
      groups.set(key, [...(groups.get(key) ?? []), id]);
    }
    for (const ids of groups.values()) {
      const startTime = Date.now();
      const failedDependency = (id: string) => taskGraph.dependencies[id].find((edge) => finished.get(edge.id) === false)?.id;
      const runnable = ids.filter((id) => !failedDependency(id));
      for (const id of ids.filter((id) => failedDependency(id))) {
        finished.set(id, false);
        yield { task: id, result: { success: false, status: 'skipped', terminalOutput: `skipped: ${failedDependency(id)} failed\n`, startTime, endTime: Date.now() } };
      }
      if (runnable.length === 0) continue;
      const project = taskGraph.tasks[runnable[0]].target.project as string;
      const { round, shards } = options[runnable[0]];
      const output = new Map<number, string[]>(runnable.map((id) => [options[id].shard, []]));
      const targetOf = new Map(runnable.map((id) => [options[id].shard, taskGraph.tasks[id].target.target]));
      let failure: string | null = null;
      try {
        if (!experiments.has(project)) experiments.set(project, loadStageContext(context, project, 'search'));
        const { spec, outDir, journalDir } = await experiments.get(project)!;
        await runSearchShards({
          search: spec.search,
          precision: spec.train.precision,
          seed: spec.seed,
          board: spec.boardDefinition,
          windowDir: outDir('window'),
          journalDir,
          resultsDir: outDir('search-shards'),
          round,
          shards,
          run: runnable.map((id) => options[id].shard),
          log: (shard) => (line) => {
            // live, since a round can train for hours; Nx shows the task's record again when the task ends (and on
            // a cache replay, where only the record exists)
            consoleLog(`${targetOf.get(shard)} | ${line}`);
            output.get(shard)!.push(line);
          },
        });
      } catch (error) {
        failure = isUserError(error) ? `nx-tinyml search: ${error.message}` : ((error as Error).stack ?? String(error));
      }
      const endTime = Date.now();
      for (const id of runnable) {
        const lines = [...output.get(options[id].shard)!, ...(failure ? [failure] : [])];
        finished.set(id, failure === null);
        yield { task: id, result: { success: failure === null, terminalOutput: lines.map((line) => `${line}\n`).join(''), startTime, endTime } };
      }
    }
  }
}

// Nx awaits the batch executor and then iterates what it returns, reporting each task as it is yielded.
const batchExecutor: TaskGraphExecutor<SearchShardExecutorOptions> = async (taskGraph, options, overrides, context) =>
  searchShardBatch(taskGraph, options, overrides, context);
export default batchExecutor;
