import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { MANIFEST_FILE } from '../data/window-store';
import { estimateMemory } from '../model/memory';
import { headForClasses } from '../model/spaces';
import { drawCandidates, type Candidate } from '../search/candidates';
import { TrialJournal } from '../search/journal';
import { paretoFront } from '../search/pareto';
import { baselinesMarkdown, runBaselines } from '../search/baselines';
import { ETA, fmt, JournaledTrials, runSchedule, type Selection, type TrialRecord } from '../search/run-schedule';
import { halvingSchedule, type Rung } from '../search/successive-halving';
import type { TrialOutcome } from '../search/trial';
import { createTrialExecutor } from '../search/worker-pool';
import type { BoardDefinition, NormalizedSearch } from '../spec/types';
import type { Metrics } from '../train/metrics';
import type { WindowManifest } from './window';

export interface SearchStageInput {
  experiment: string;
  search: NormalizedSearch;
  seed: number;
  board: BoardDefinition;
  /** The window stage's output folder. */
  windowDir: string;
  /** Replaced atomically with the search's artifacts. */
  outDir: string;
  /**
   * Folder of append-only trial journals, one per search configuration (file named by a hash of the settings and
   * data it depends on); outside outDir so it survives a crash and a cache restore.
   */
  journalDir: string;
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
  const { search, seed } = input;
  const manifest = await readManifest(input.windowDir);
  const fold = chooseFold(manifest, search.fold);
  const head = headForClasses(manifest.classes.length);
  const selection = selectionFor(search, manifest.classes);
  const shape = { length: manifest.window.length, channels: manifest.window.channels.length };
  const draw = drawCandidates(search, shape, head, input.board, search.budget, seed);
  if (draw.candidates.length === 0) {
    throw new UserError(
      `search: no architecture of the ${search.space.kind} space fits the budget (SRAM ${search.budget.sramBytes} B, flash ${search.budget.flashBytes} B): ` +
        `${draw.rejected.count} drawn, all rejected (${Object.entries(draw.rejected.reasons).map(([r, n]) => `${r} ${n}`).join(', ')}); widen the budget or shrink search.space`,
    );
  }
  const scheduleFor = (candidates: number): Rung[] =>
    search.strategy === 'successive-halving'
      ? halvingSchedule(candidates, search.epochs, ETA)
      : [{ index: 0, epochs: search.epochs, trainFraction: 1, candidates }];
  const schedule = scheduleFor(draw.candidates.length);
  log(
    `search: ${draw.candidates.length} ${search.space.kind} candidates fit ${input.board.name} (SRAM ≤ ${search.budget.sramBytes} B, flash ≤ ${search.budget.flashBytes} B); ` +
      `${draw.rejected.count} rejected unseen (${formatReasons(draw.rejected.reasons)}); fold ${fold}; ${search.strategy}, rungs ${schedule.map((r) => `${r.candidates}×${r.epochs}ep`).join(' → ')}`,
  );

  const header = { format: 'nx-tinyml/search-journal@1', windows: manifest.payload.sha256, fold, seed, search: { ...search, workers: undefined } };
  const journalFile = path.join(input.journalDir, `search-${createHash('sha256').update(canonicalJson(header)).digest('hex').slice(0, 16)}.jsonl`);
  const journal = TrialJournal.open<TrialOutcome>(journalFile, header);
  if (journal.size > 0) log(`search: resuming, ${journal.size} trials already journaled in ${journalFile}`);
  const executor = createTrialExecutor(
    { windowDir: input.windowDir, fold, seed, validationSubjects: search.validationSubjects, maxValidationWindows: search.maxValidationWindows },
    search.workers,
  );
  const started = Date.now();
  const trials = new JournaledTrials(journal, executor, log);
  try {
    const { winner, trials: records } = await runSchedule(draw.candidates, schedule, search, seed, trials, selection);
    const subjects = winner.outcome.subjects;
    // Each candidate's score is its F1 at the highest rung it reached.
    const reached = new Map<string, TrialRecord>();
    for (const trial of records) if ((reached.get(trial.candidate)?.rung ?? -1) < trial.rung) reached.set(trial.candidate, trial);
    const front = paretoFront(
      draw.candidates.map((c) => ({ id: c.id, summary: c.summary, cost: c.sramBytes, flashBytes: c.flashBytes, rung: reached.get(c.id)!.rung, score: reached.get(c.id)!.score })),
    ).map(({ cost, score, ...rest }) => ({ ...rest, sramBytes: cost, score }));
    const memory = estimateMemory(winner.candidate.ir, input.board, search.budget);
    const baselines = await runBaselines({ search, seed, board: input.board, shape, head, schedule: scheduleFor, trials, selection, log }, winner);

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
      await write('pareto.json', { metric: `validation ${selection.monitor} vs SRAM (arena + input + stack)`, front });
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
      });
      await write('baselines.json', baselines);
      await writeFile(
        path.join(dir, 'summary.md'),
        `${summaryMarkdown(input, fold, draw.rejected.count, draw.candidates, records, winner.candidate, front, selection)}\n${baselinesMarkdown(baselines)}`,
      );
      await writeFile(path.join(dir, 'run-log.jsonl'), trials.timings.map((t) => JSON.stringify(t)).join('\n') + '\n');
    });
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    log(
      `search: best ${winner.candidate.id} ${winner.candidate.summary}: val F1 ${fmt(winner.outcome.validation?.positiveF1)}, test F1 ${fmt(winner.outcome.test?.positiveF1)} ` +
        `(test subjects ${subjects.test.join(', ')}); SRAM ${winner.candidate.sramBytes} B, flash ${winner.candidate.flashBytes} B; ${records.length} trials in ${minutes} min`,
    );
    return { fold, best: { ...winner.candidate, validation: winner.outcome.validation, test: winner.outcome.test }, candidates: draw.candidates.length, rejected: draw.rejected.count };
  } finally {
    journal.close();
    await executor.close();
  }
}

/** positive-f1 for binary problems, macro-f1 otherwise, unless the spec says; the positive class by label. */
function selectionFor(search: NormalizedSearch, classes: readonly string[]): Selection {
  const monitor = search.metric ?? (classes.length === 2 ? 'positive-f1' : 'macro-f1');
  if (search.positiveClass === null) return { monitor };
  const index = classes.indexOf(search.positiveClass);
  if (index < 0) throw new UserError(`search.positiveClass: no class "${search.positiveClass}" in the window store; classes: ${classes.join(', ')}`);
  return { monitor, positiveClass: index };
}

async function readManifest(windowDir: string): Promise<WindowManifest> {
  const file = path.join(windowDir, MANIFEST_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WindowManifest;
  } catch (error) {
    throw new UserError(`${file}: cannot read the window store (${(error as Error).message}); run the window stage first`);
  }
}

/** The spec's fold, or the first one whose test subjects have windows of the rarest training class. */
export function chooseFold(manifest: WindowManifest, wanted: string | null): string {
  if (wanted !== null) {
    if (!manifest.folds.some((f) => f.name === wanted)) {
      throw new UserError(`search.fold: no fold "${wanted}" in the window store; folds: ${manifest.folds.map((f) => f.name).join(', ')}`);
    }
    return wanted;
  }
  for (const fold of manifest.folds) {
    const present = fold.trainCounts.map((n, c) => [n, c]).filter(([n]) => n > 0);
    const minority = present.sort((a, b) => a[0] - b[0])[0]?.[1];
    if (minority !== undefined && fold.testCounts[minority] > 0) return fold.name;
  }
  return manifest.folds[0].name;
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
