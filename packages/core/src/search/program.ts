import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { canonicalJson } from '../common/canonical-json';
import { UserError } from '../common/errors';
import type { Log } from '../common/log';
import type { ModelIR } from '../model/ir';
import { headForClasses, type HeadSpec } from '../model/spaces';
import type { BoardDefinition, NormalizedSearch } from '../spec/types';
import { readWindowManifest, type WindowManifest } from '../data/window-manifest';
import { runBaselines, runTwoStageSearch, type BaselineContext, type BaselineReport } from './baselines';
import { drawCandidates, type Candidate, type CandidateDraw } from './candidates';
import { TrialJournal, type TrialStore } from './journal';
import { ETA, runSchedule, type JournaledTrials, type Selection, type TrialRecord } from './run-schedule';
import { readShardResults } from './shard-results';
import { halvingSchedule, type Rung } from './successive-halving';
import type { TrialDataSpec, TrialOutcome } from './trial';
import { trainingCodeHash } from './training-code';
import type { Precision } from '../train/wasm/arena';

/** What a search is run on; the same for the in-process stage and for its shard targets. */
export interface SearchSetup {
  search: NormalizedSearch;
  /** The engine's element type (spec train.precision). */
  precision: Precision;
  seed: number;
  board: BoardDefinition;
  /** The window stage's output folder. */
  windowDir: string;
  /**
   * Folder of append-only trial journals, named by a hash of the settings and data the trials depend on; outside
   * the stage's outputs so it survives a crash and a cache restore.
   */
  journalDir: string;
}

/** Everything about a search that is known before any trial: read once, then used without I/O. */
export interface SearchPlan {
  setup: SearchSetup;
  manifest: WindowManifest;
  fold: string;
  head: HeadSpec;
  shape: ModelIR['input'];
  selection: Selection;
  draw: CandidateDraw;
  schedule: Rung[];
  scheduleFor: (candidates: number) => Rung[];
  /** The journal header: what every trial of this search depends on besides its own request. */
  header: unknown;
  /** Short hash of the header; names the journal and tags shard results so other configurations are ignored. */
  configuration: string;
  /** Where the trial runners read their data. */
  data: TrialDataSpec;
}

export interface SearchTrialsResult {
  winner: { candidate: Candidate; outcome: TrialOutcome };
  records: TrialRecord[];
  baselines: BaselineReport;
}

/** Reads the window store's manifest and fixes the fold, the candidates and the schedule. */
export async function planSearch(setup: SearchSetup): Promise<SearchPlan> {
  const { search, seed } = setup;
  const manifest = await readWindowManifest(setup.windowDir);
  const fold = chooseFold(manifest, search.fold);
  const head = headForClasses(manifest.classes.length);
  const selection = selectionFor(search, manifest.classes, setup.precision);
  const shape = { length: manifest.window.length, channels: manifest.window.channels.length };
  const draw = drawCandidates(search, shape, head, setup.board, search.budget, seed);
  if (draw.candidates.length === 0) {
    throw new UserError(
      `search: no architecture of the ${search.space.kind} space fits the budget (SRAM ${search.budget.sramBytes} B, flash ${search.budget.flashBytes} B): ` +
        `${draw.rejected.count} drawn, all rejected (${Object.entries(draw.rejected.reasons)
          .map(([r, n]) => `${r} ${n}`)
          .join(', ')}); widen the budget or shrink search.space`,
    );
  }
  const scheduleFor = (candidates: number): Rung[] =>
    search.strategy === 'successive-halving'
      ? halvingSchedule(candidates, search.epochs, ETA)
      : [{ index: 0, epochs: search.epochs, trainFraction: 1, candidates }];
  const validationClasses = classesToValidate(manifest.folds.find((f) => f.name === fold)!.trainCounts);
  const header = {
    format: 'nx-tinyml/search-journal@2',
    trainingCode: trainingCodeHash(),
    windows: manifest.payload.sha256,
    fold,
    seed,
    validationClasses,
    search: { ...search, workers: undefined },
  };
  return {
    setup,
    manifest,
    fold,
    head,
    shape,
    selection,
    draw,
    schedule: scheduleFor(draw.candidates.length),
    scheduleFor,
    header,
    configuration: createHash('sha256').update(canonicalJson(header)).digest('hex').slice(0, 16),
    data: {
      windowDir: setup.windowDir,
      fold,
      seed,
      validationSubjects: search.validationSubjects,
      validationBy: search.validationBy,
      validationClasses,
      maxValidationWindows: search.maxValidationWindows,
    },
  };
}

/**
 * What the inner validation subjects should have windows of: the rarest class of two (the falls), or with more
 * classes every one but the most frequent, so that a macro-F1 on them sees each class.
 */
export function classesToValidate(trainCounts: readonly number[]): number[] {
  const present = trainCounts
    .map((n, c) => ({ n, c }))
    .filter(({ n }) => n > 0)
    .sort((a, b) => a.n - b.n || a.c - b.c);
  if (present.length <= 2) return present.slice(0, 1).map(({ c }) => c);
  return present
    .slice(0, -1)
    .map(({ c }) => c)
    .sort((a, b) => a - b);
}

/** The journal of one search configuration; `part` names a shard's own journal (`r0-s1`). */
export function journalFile(plan: SearchPlan, part?: string): string {
  return path.join(plan.setup.journalDir, `search-${plan.configuration}${part ? `.${part}` : ''}.jsonl`);
}

/**
 * Every trial of the search, through `trials`: the constrained schedule and the two-stage baseline's unconstrained
 * search side by side, then the ablation and the fine-tune. It waits on nothing but trials (no I/O, no timers):
 * shard targets rely on that to find which trials can run once the earlier rounds are known (search/frontier.ts).
 */
export async function runSearchTrials(plan: SearchPlan, trials: JournaledTrials, log: Log): Promise<SearchTrialsResult> {
  const { search, seed, board } = plan.setup;
  const context: BaselineContext = {
    search,
    seed,
    board,
    shape: plan.shape,
    head: plan.head,
    schedule: plan.scheduleFor,
    trials,
    selection: plan.selection,
    log,
  };
  // The constrained schedule asks first, so a trial both ask for carries its name (c001@r0, not two-stage/c001@r0).
  const constrained = runSchedule(plan.draw.candidates, plan.schedule, search, seed, trials, plan.selection);
  const twoStage = search.baselines.twoStage ? runTwoStageSearch(context) : Promise.resolve(null);
  // Awaited below; this only keeps a failure while the main schedule still runs from being reported as unhandled.
  twoStage.catch(() => undefined);
  const main = await constrained;
  const baselines = await runBaselines(context, main.winner, await twoStage);
  return { winner: main.winner, records: main.trials, baselines };
}

/** positive-f1 for binary problems, macro-f1 otherwise, unless the spec says; the positive class by label. */
function selectionFor(search: NormalizedSearch, classes: readonly string[], precision: Precision): Selection {
  const monitor = search.metric ?? (classes.length === 2 ? 'positive-f1' : 'macro-f1');
  if (search.positiveClass === null) return { monitor, precision };
  const index = classes.indexOf(search.positiveClass);
  if (index < 0) throw new UserError(`search.positiveClass: no class "${search.positiveClass}" in the window store; classes: ${classes.join(', ')}`);
  return { monitor, positiveClass: index, precision };
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

/**
 * The trials the search already has: its journal (a killed search resumes from it) and, when it ran sharded, the
 * shard targets' results, replayed like journaled ones. New trials go to the journal; the caller closes it.
 */
export async function openTrialStore(
  plan: SearchPlan,
  shardResults: { dir: string; rounds: number; shards: number } | undefined,
  log: Log,
): Promise<{ journal: TrialJournal<TrialOutcome>; store: TrialStore<TrialOutcome> }> {
  const journal = TrialJournal.open<TrialOutcome>(journalFile(plan), plan.header, log);
  if (journal.size > 0) log(`search: resuming, ${journal.size} trials already journaled in ${journal.file}`);
  if (!shardResults) return { journal, store: journal };
  const { dir, rounds, shards } = shardResults;
  const fromShards = await readShardResults(
    dir,
    plan.configuration,
    Array.from({ length: rounds }, (_, r) => r),
    shards,
    log,
  );
  log(`search: ${fromShards.size} trials from ${rounds}×${shards} shard targets`);
  return { journal, store: { get: (key) => fromShards.get(key) ?? journal.get(key), record: (key, value) => journal.record(key, value) } };
}

/**
 * The trials a search is expected to run, for its progress line: the constrained schedule's, the two-stage search's
 * (about as many) and one per other baseline; the line's total grows if the two-stage search asks for more.
 */
export function expectedTrialCount(plan: SearchPlan): number {
  const { baselines } = plan.setup.search;
  const scheduled = plan.schedule.reduce((sum, rung) => sum + rung.candidates, 0);
  return scheduled * (baselines.twoStage ? 2 : 1) + Number(baselines.twoStage) + Number(baselines.unweighted);
}
