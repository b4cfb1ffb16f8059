import { replaceDirAtomic } from '../common/atomic';
import { silentLog, type Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import type { Candidate } from '../search/candidates';
import { chooseFold, expectedTrialCount, openTrialStore, planSearch, runSearchTrials, type SearchSetup } from '../search/program';
import { fmt, JournaledTrials } from '../search/run-schedule';
import { searchResults } from '../search/search-outcome';
import { writeSearchResults } from '../search/search-results';
import { createTrialExecutor } from '../search/worker-pool';
import type { Metrics } from '../train/metrics';

export { chooseFold };

export interface SearchStageInput extends SearchSetup {
  experiment: string;
  /** Replaced atomically with the search's artifacts. */
  outDir: string;
  /**
   * Results of the shard targets (stages/search-shard.ts), when the search ran sharded: their trials are replayed
   * like journaled ones, and only what they did not cover is trained here.
   */
  shardResults?: { dir: string; rounds: number; shards: number };
  log?: Log;
}

export interface SearchResult {
  fold: string;
  best: Candidate & { validation: Metrics | null; test: Metrics | null };
  candidates: number;
  rejected: number;
}

/**
 * The `search` stage (MicroNAS): draws architectures from the spec's space, trains only those that fit the board's
 * memory budget, ranks them by the minority-class F1 on validation subjects held out from the outer fold's training
 * subjects (its test subject is never seen while selecting), and writes the trial table, the Pareto front (F1 vs
 * SRAM) and the best model. Every finished trial is journaled first, so a killed search resumes where it stopped.
 */
export async function runSearchStage(input: SearchStageInput): Promise<SearchResult> {
  const log = input.log ?? silentLog;
  const { search } = input;
  const plan = await planSearch(input);
  const { fold, draw, schedule, selection } = plan;
  log(
    `search: ${draw.candidates.length} ${search.space.kind} candidates fit ${input.board.name} (SRAM ≤ ${search.budget.sramBytes} B, flash ≤ ${search.budget.flashBytes} B); ` +
      `${draw.rejected.count} rejected unseen (${formatReasons(draw.rejected.reasons)}); fold ${fold}; ${search.strategy}, rungs ${schedule.map((r) => `${r.candidates}×${r.epochs}ep`).join(' → ')}`,
  );

  const { journal, store } = await openTrialStore(plan, input.shardResults, log);
  const executor = createTrialExecutor(plan.data, search.workers);
  const started = Date.now();
  const progress = startProgress('search: trials', expectedTrialCount(plan), { log: progressLog(log) });
  let finished = 0;
  const trials = new JournaledTrials(store, executor, log, () => progress.update(++finished));
  try {
    const { winner, records, baselines } = await runSearchTrials(plan, trials, log);
    const subjects = winner.outcome.subjects;
    await replaceDirAtomic(input.outDir, (dir) =>
      writeSearchResults(dir, searchResults(input.experiment, plan, { winner, records, baselines }), trials.timings),
    );
    progress.finish();
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const trained = trials.timings.filter((t) => !t.resumed).length;
    if (input.shardResults && trained > 0)
      log(`search: ${trained} trial${trained === 1 ? ' was' : 's were'} not covered by the shard targets and trained here (raise searchRounds to cover them)`);
    const macro = selection.monitor === 'macro-f1';
    const figure = (m: Metrics | null | undefined) => fmt(macro ? m?.macroF1 : m?.positiveF1);
    log(
      `search: best ${winner.candidate.id} ${winner.candidate.summary}: val ${macro ? 'macro-F1' : 'F1'} ${figure(winner.outcome.validation)}, test ${macro ? 'macro-F1' : 'F1'} ${figure(winner.outcome.test)} ` +
        `(test subjects ${subjects.test.join(', ')}); SRAM ${winner.candidate.sramBytes} B, flash ${winner.candidate.flashBytes} B; ${records.length} trials in ${minutes} min`,
    );
    return {
      fold,
      best: { ...winner.candidate, validation: winner.outcome.validation, test: winner.outcome.test },
      candidates: draw.candidates.length,
      rejected: draw.rejected.count,
    };
  } finally {
    progress.stop();
    journal.close();
    await executor.close();
  }
}

function formatReasons(reasons: Record<string, number>): string {
  const entries = Object.entries(reasons);
  return entries.length === 0 ? 'none' : entries.map(([r, n]) => `${r} ${n}`).join(', ');
}
