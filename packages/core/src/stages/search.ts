import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { estimateMemory } from '../model/memory';
import type { Candidate } from '../search/candidates';
import { TrialJournal, type TrialStore } from '../search/journal';
import { paretoFront } from '../search/pareto';
import { baselinesMarkdown } from '../search/baselines';
import { chooseFold, journalFile, planSearch, runSearchTrials, type SearchSetup } from '../search/program';
import { fmt, JournaledTrials, type Selection, type TrialRecord } from '../search/run-schedule';
import { readShardResults } from '../search/shard-results';
import type { TrialOutcome } from '../search/trial';
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
  const { manifest, fold, draw, schedule, selection } = plan;
  log(
    `search: ${draw.candidates.length} ${search.space.kind} candidates fit ${input.board.name} (SRAM ≤ ${search.budget.sramBytes} B, flash ≤ ${search.budget.flashBytes} B); ` +
      `${draw.rejected.count} rejected unseen (${formatReasons(draw.rejected.reasons)}); fold ${fold}; ${search.strategy}, rungs ${schedule.map((r) => `${r.candidates}×${r.epochs}ep`).join(' → ')}`,
  );

  const journal = TrialJournal.open<TrialOutcome>(journalFile(plan), plan.header, log);
  if (journal.size > 0) log(`search: resuming, ${journal.size} trials already journaled in ${journal.file}`);
  let store: TrialStore<TrialOutcome> = journal;
  if (input.shardResults) {
    const { dir, rounds, shards } = input.shardResults;
    const fromShards = await readShardResults(
      dir,
      plan.configuration,
      Array.from({ length: rounds }, (_, r) => r),
      shards,
      log,
    );
    log(`search: ${fromShards.size} trials from ${rounds}×${shards} shard targets`);
    store = { get: (key) => fromShards.get(key) ?? journal.get(key), record: (key, value) => journal.record(key, value) };
  }
  const executor = createTrialExecutor(plan.data, search.workers);
  const started = Date.now();
  // The constrained schedule's trials, the two-stage search's (about as many) and one per other baseline; the
  // line's total grows if the two-stage search asks for more.
  const scheduled = schedule.reduce((sum, rung) => sum + rung.candidates, 0);
  const expected = scheduled * (search.baselines.twoStage ? 2 : 1) + Number(search.baselines.twoStage) + Number(search.baselines.unweighted);
  const progress = startProgress('search: trials', expected, { log: progressLog(log) });
  let finished = 0;
  const trials = new JournaledTrials(store, executor, log, () => progress.update(++finished));
  try {
    const { winner, records, baselines } = await runSearchTrials(plan, trials, log);
    const subjects = winner.outcome.subjects;
    // Each candidate's score is its F1 at the highest rung it reached.
    const reached = new Map<string, TrialRecord>();
    for (const trial of records) if ((reached.get(trial.candidate)?.rung ?? -1) < trial.rung) reached.set(trial.candidate, trial);
    const front = paretoFront(
      draw.candidates.map((c) => ({
        id: c.id,
        summary: c.summary,
        cost: c.sramBytes,
        flashBytes: c.flashBytes,
        rung: reached.get(c.id)!.rung,
        score: reached.get(c.id)!.score,
      })),
    ).map(({ cost, score, ...rest }) => ({ ...rest, sramBytes: cost, score }));
    const memory = estimateMemory(winner.candidate.ir, input.board, search.budget);

    await replaceDirAtomic(input.outDir, async (dir) => {
      const write = (file: string, value: unknown) => writeFile(path.join(dir, file), `${canonicalJson(value, 1)}\n`);
      await write('trials.json', {
        format: 'nx-tinyml/search@1',
        experiment: input.experiment,
        board: input.board.name,
        budget: search.budget,
        strategy: search.strategy,
        space: search.space,
        fold,
        subjects,
        classes: manifest.classes,
        positiveClass: winner.outcome.validation?.positiveClass ?? null,
        metric: selection.monitor,
        schedule,
        rejected: draw.rejected,
        duplicatesSkipped: draw.duplicates,
        candidates: draw.candidates.map(({ ir, ...rest }) => ({ ...rest, ir })),
        trials: records,
      });
      await write('pareto.json', { metric: `validation ${selection.monitor} vs SRAM (arena + input + result + static + stack)`, front });
      await write('best-model.json', {
        candidate: winner.candidate.id,
        summary: winner.candidate.summary,
        ir: winner.candidate.ir,
        blocks: winner.candidate.blocks,
        weights: winner.outcome.weights,
        windows: manifest.payload.sha256,
        classes: manifest.classes,
        fold,
        normalization: manifest.folds.find((f) => f.name === fold)!.normalization,
        memory: { flash: memory.flash, sram: memory.sram, budget: memory.budget, fits: memory.fits, arena: memory.plan.arenaBytes },
        validation: winner.outcome.validation,
        test: winner.outcome.test,
        history: winner.outcome.history ?? null,
      });
      await write('baselines.json', baselines);
      await writeFile(
        path.join(dir, 'summary.md'),
        `${summaryMarkdown(input, fold, draw.rejected.count, draw.candidates, records, winner.candidate, front, selection)}\n${baselinesMarkdown(baselines)}`,
      );
      await writeFile(path.join(dir, 'run-log.jsonl'), trials.timings.map((t) => JSON.stringify(t)).join('\n') + '\n');
    });
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

function summaryMarkdown(
  input: SearchStageInput,
  fold: string,
  rejected: number,
  candidates: Candidate[],
  trials: TrialRecord[],
  best: Candidate,
  front: { id: string }[],
  selection: Selection,
): string {
  const onFront = new Set(front.map((p) => p.id));
  const final = new Map<string, TrialRecord>();
  for (const trial of trials) if ((final.get(trial.candidate)?.rung ?? -1) < trial.rung) final.set(trial.candidate, trial);
  const rows = candidates
    .map((c) => ({ c, t: final.get(c.id)! }))
    .sort((a, b) => b.t.rung - a.t.rung || b.t.score - a.t.score)
    .map(
      ({ c, t }) =>
        `| ${c.id}${c.id === best.id ? ' (best)' : ''}${onFront.has(c.id) ? ' ◆' : ''} | \`${c.summary}\` | ${c.macs} | ${c.sramBytes} | ${c.flashBytes} | ${t.rung} | ${fmt(t.score)} | ${fmt(t.validationF1)} | ${fmt(t.testF1)} |`,
    );
  return [
    `# Search: ${input.experiment}`,
    '',
    `${input.search.strategy} over ${input.search.space.kind} on ${input.board.name}, budget SRAM ${input.search.budget.sramBytes} B / flash ${input.search.budget.flashBytes} B; outer fold ${fold}.`,
    `${candidates.length} candidates trained, ${rejected} rejected by the memory model without training. ◆ = on the Pareto front (validation ${selection.monitor} vs SRAM).`,
    '',
    `| candidate | architecture | MACs | SRAM B | flash B | rung | val ${selection.monitor} | val F1 (positive) | test F1 (positive) |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function formatReasons(reasons: Record<string, number>): string {
  const entries = Object.entries(reasons);
  return entries.length === 0 ? 'none' : entries.map(([r, n]) => `${r} ${n}`).join(', ');
}
