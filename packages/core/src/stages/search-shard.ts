import * as path from 'node:path';
import { silentLog, type Log } from '../common/log';
import { pendingTrials } from '../search/frontier';
import { TrialJournal } from '../search/journal';
import { journalFile, planSearch, type SearchSetup } from '../search/program';
import { JournaledTrials } from '../search/run-schedule';
import { readShardResults, shardName, writeShardResults } from '../search/shard-results';
import type { TrialOutcome } from '../search/trial';
import { createTrialExecutor } from '../search/worker-pool';

export interface SearchShardInput extends SearchSetup {
  /** Folder holding every shard's results as `r<round>-s<shard>/`; the earlier rounds' are read from here. */
  resultsDir: string;
  round: number;
  /** Shards per round. */
  shards: number;
  /** The shards of this round to run here: one for a single Nx task, several when Nx batches them. */
  run: readonly number[];
  /** Per shard, where its progress goes. */
  log?: (shard: number) => Log;
}

export interface ShardSummary {
  shard: number;
  /** Trials of this shard's slice; those already in its journal (a killed earlier attempt) are replayed. */
  trials: number;
  trained: number;
}

/**
 * One round of a sharded search (the shard targets `search-r<round>-s<shard>`): finds the trials the search asks
 * for once the results of rounds 0..round−1 are known (search/frontier.ts), takes every `shards`-th of them by
 * content key for each shard in `run`, trains them on `search.workers` threads shared by those shards, and writes
 * each shard's results. Each shard journals its trials as they finish, so a killed shard resumes. A round with
 * nothing left to train writes empty results; the `search` stage trains whatever the rounds did not cover.
 */
export async function runSearchShards(input: SearchShardInput): Promise<ShardSummary[]> {
  const logFor = input.log ?? (() => silentLog);
  const plan = await planSearch(input);
  const earlierRounds = Array.from({ length: input.round }, (_, round) => round);
  const known = await readShardResults(input.resultsDir, plan.configuration, earlierRounds, input.shards, logFor(input.run[0]));
  const pending = await pendingTrials(plan, known);
  const slices = input.run.map((shard) => ({ shard, trials: pending.filter((_, i) => i % input.shards === shard) }));
  for (const { shard, trials } of slices) {
    logFor(shard)(
      `search: round ${input.round}: ${pending.length} trial${pending.length === 1 ? '' : 's'} pending given ${known.size} known; shard ${shard + 1}/${input.shards} takes ${trials.length}`,
    );
  }
  const executor = createTrialExecutor(
    plan.data,
    Math.max(
      1,
      Math.min(
        input.search.workers,
        slices.reduce((n, s) => n + s.trials.length, 0),
      ),
    ),
  );
  try {
    return await Promise.all(
      slices.map(async ({ shard, trials }) => {
        const name = shardName(input.round, shard);
        const results = { configuration: plan.configuration, round: input.round, shard, shards: input.shards };
        if (trials.length === 0) {
          await writeShardResults(path.join(input.resultsDir, name), results, [], []);
          return { shard, trials: 0, trained: 0 };
        }
        const journal = TrialJournal.open<TrialOutcome>(journalFile(plan, name), plan.header, logFor(shard));
        try {
          const runner = new JournaledTrials(journal, executor, logFor(shard));
          let finished = 0;
          const outcomes = await Promise.all(
            trials.map(async ({ contentKey, request }) => ({
              contentKey,
              outcome: await runner.run(request, () => `[${name} ${++finished}/${trials.length}]`),
            })),
          );
          await writeShardResults(path.join(input.resultsDir, name), results, outcomes, runner.timings);
          return { shard, trials: trials.length, trained: runner.timings.filter((t) => !t.resumed).length };
        } finally {
          journal.close();
        }
      }),
    );
  } finally {
    await executor.close();
  }
}
