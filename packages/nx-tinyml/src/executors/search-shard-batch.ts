import * as path from 'node:path';
import type { ExecutorContext, TaskGraph, TaskGraphExecutor } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { sweepStaleTemps } from '@nx-tinyml/core/common/temp-paths';
import { runSearchShards } from '@nx-tinyml/core/stages/search-shard';
import { claimTarget, declaredOutputs, guardExecutorProcess, loadStageContext, stageFailureMessage, type StageExecutorContext } from './run-stage';
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
): AsyncGenerator<ShardTaskResult> {
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
      const unblocked = ids.filter((id) => !failedDependency(id));
      for (const id of ids.filter((id) => failedDependency(id))) {
        finished.set(id, false);
        yield { task: id, result: { success: false, status: 'skipped', terminalOutput: `skipped: ${failedDependency(id)} failed\n`, startTime, endTime: Date.now() } };
      }
      if (unblocked.length === 0) continue;
      const project = taskGraph.tasks[unblocked[0]].target.project as string;
      const releases: (() => Promise<void>)[] = [];
      try {
        // The lock and the cleared outputs of each task, as runStageExecutor does for one.
        const runnable: string[] = [];
        for (const id of unblocked) {
          const target = taskGraph.tasks[id].target.target;
          const outputs = declaredOutputs(context.root, context.projectsConfigurations.projects[project], target);
          try {
            releases.push(await claimTarget(context.root, project, target, outputs, (line) => consoleLog(`${target} | nx-tinyml search: ${line}`)));
            runnable.push(id);
          } catch (error) {
            const message = stageFailureMessage(error, outputs[0] ? path.relative(context.root, outputs[0]) : undefined);
            if (message === null) throw error;
            finished.set(id, false);
            consoleLog(`${target} | nx-tinyml search: ${message}`);
            yield { task: id, result: { success: false, terminalOutput: `nx-tinyml search: ${message}\n`, startTime, endTime: Date.now() } };
          }
        }
        if (runnable.length === 0) continue;
        const { round, shards } = options[runnable[0]];
        const output = new Map<number, string[]>(runnable.map((id) => [options[id].shard, []]));
        const targetOf = new Map(runnable.map((id) => [options[id].shard, taskGraph.tasks[id].target.target]));
        let failure: string | null = null;
        try {
          if (!experiments.has(project)) experiments.set(project, loadStageContext(context, project, 'search'));
          const { spec, outDir, journalDir } = await experiments.get(project)!;
          await runShards({
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
          const message = stageFailureMessage(error);
          failure = message !== null ? `nx-tinyml search: ${message}` : ((error as Error).stack ?? String(error));
        }
        const endTime = Date.now();
        for (const id of runnable) {
          const lines = [...output.get(options[id].shard)!, ...(failure ? [failure] : [])];
          finished.set(id, failure === null);
          yield { task: id, result: { success: failure === null, terminalOutput: lines.map((line) => `${line}\n`).join(''), startTime, endTime } };
        }
      } finally {
        for (const release of releases) await release();
      }
    }
  }
}

// Nx awaits the batch executor and then iterates what it returns, reporting each task as it is yielded.
const batchExecutor: TaskGraphExecutor<SearchShardExecutorOptions> = async (taskGraph, options, overrides, context) =>
  searchShardBatch(taskGraph, options, overrides, context);
export default batchExecutor;
