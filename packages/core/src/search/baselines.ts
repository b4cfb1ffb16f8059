import { isUserError } from '../common/errors';
import type { Log } from '../common/log';
import type { ModelIR } from '../model/ir';
import { estimateMemory } from '../model/memory';
import { pruneToFit } from '../model/prune';
import { summarizeIR } from '../model/cost';
import type { HeadSpec } from '../model/spaces';
import type { BoardDefinition, NormalizedSearch } from '../spec/types';
import { drawCandidates, type Candidate } from './candidates';
import { fmt, runSchedule, trialRequest, type JournaledTrials, type ScheduleResult, type Selection, type TrialRecord } from './run-schedule';
import type { Rung } from './successive-halving';
import type { TrialOutcome } from './trial';

export interface ModelResult {
  summary: string;
  sramBytes: number;
  flashBytes: number;
  fits: boolean;
  validationF1: number | null;
  testF1: number | null;
}

export interface BaselineReport {
  /** The memory-constrained search's winner (MicroNAS). */
  constrained: ModelResult & { candidate: string };
  /** Search without the memory constraint, then structured pruning of the winner until it fits, then fine-tuning. */
  twoStage: {
    unconstrained: ModelResult & { candidate: string };
    pruned: (ModelResult & { removedChannels: number; finetuneEpochs: number }) | null;
    /** Why there is no pruned model (it fitted already, or pruning could not make it fit). */
    note: string | null;
    trials: TrialRecord[];
  } | null;
  /** The winner retrained with an unweighted loss (the class-weighting ablation). */
  unweighted: ModelResult | null;
}

export interface BaselineContext {
  search: NormalizedSearch;
  seed: number;
  board: BoardDefinition;
  shape: ModelIR['input'];
  head: HeadSpec;
  schedule: (candidates: number) => Rung[];
  trials: JournaledTrials;
  selection: Selection;
  log: Log;
}

/**
 * Stage 1 of MicroNAS's two-stage comparison: the same search without the memory constraint. It does not depend on
 * the constrained search, so it runs alongside it (and in the same shard rounds).
 */
export function runTwoStageSearch(context: BaselineContext): Promise<ScheduleResult> {
  const { search, seed, board, log } = context;
  const draw = drawCandidates(search, context.shape, context.head, board, null, seed);
  log(`search: two-stage baseline: ${draw.candidates.length} candidates without the memory constraint`);
  return runSchedule(draw.candidates, context.schedule(draw.candidates.length), search, seed, context.trials, context.selection, 'two-stage/');
}

/**
 * MicroNAS's comparisons, run on the same fold, data and journal: the unweighted ablation of the constrained
 * winner and the pruned, fine-tuned two-stage winner (`stage1` from runTwoStageSearch, null when off). Their two
 * trials are requested together, since neither depends on the other.
 */
export async function runBaselines(
  context: BaselineContext,
  winner: { candidate: Candidate; outcome: TrialOutcome },
  stage1: ScheduleResult | null,
): Promise<BaselineReport> {
  const { search, seed, trials } = context;
  const unweighted = async (): Promise<ModelResult | null> => {
    if (!search.baselines.unweighted) return null;
    const request = trialRequest(
      `unweighted/${winner.candidate.id}`,
      winner.candidate,
      { ...search, weightedLoss: false },
      seed,
      search.epochs,
      search.maxTrainWindows,
      context.selection,
    );
    return modelResult(winner.candidate.ir, context, await trials.run(request, () => '[ablation]'));
  };
  const [unweightedResult, twoStage] = await Promise.all([unweighted(), stage1 ? twoStageReport(context, stage1) : null]);
  return {
    constrained: { candidate: winner.candidate.id, ...modelResult(winner.candidate.ir, context, winner.outcome) },
    twoStage,
    unweighted: unweightedResult,
  };
}

/** Stage 2: the unconstrained winner pruned channel by channel until it fits, then fine-tuned. */
async function twoStageReport(context: BaselineContext, stage1: ScheduleResult): Promise<NonNullable<BaselineReport['twoStage']>> {
  const { search, seed, board, trials, log } = context;
  const unconstrained = { candidate: stage1.winner.candidate.id, ...modelResult(stage1.winner.candidate.ir, context, stage1.winner.outcome) };
  const report: NonNullable<BaselineReport['twoStage']> = { unconstrained, pruned: null, note: null, trials: stage1.trials };
  if (unconstrained.fits) {
    report.note = 'the unconstrained winner fits the budget as it is; nothing to prune';
  } else {
    try {
      const fits = (ir: ModelIR) => estimateMemory(ir, board, search.budget).fits;
      const pruned = pruneToFit(stage1.winner.candidate.ir, stage1.winner.outcome.weights, fits);
      const finetune = await trials.run(
        {
          ...trialRequest(
            'two-stage/pruned-finetune',
            { ...stage1.winner.candidate, ir: pruned.ir },
            search,
            seed,
            search.epochs,
            search.maxTrainWindows,
            context.selection,
          ),
          initialWeights: pruned.weights,
        },
        () => '[two-stage fine-tune]',
      );
      report.pruned = { ...modelResult(pruned.ir, context, finetune), removedChannels: pruned.removed.length, finetuneEpochs: finetune.epochsRun };
    } catch (error) {
      if (!isUserError(error)) throw error;
      report.note = error.message;
    }
  }
  const pruned = report.pruned;
  log(
    `search: two-stage: unconstrained ${unconstrained.summary} SRAM ${unconstrained.sramBytes} B flash ${unconstrained.flashBytes} B val F1 ${fmt(unconstrained.validationF1)}` +
      (pruned ? ` → pruned ${pruned.summary} SRAM ${pruned.sramBytes} B val F1 ${fmt(pruned.validationF1)}` : ` (${report.note})`),
  );
  return report;
}

function modelResult(ir: ModelIR, context: BaselineContext, outcome: TrialOutcome): ModelResult {
  const memory = estimateMemory(ir, context.board, context.search.budget);
  return {
    summary: summarizeIR(ir),
    sramBytes: memory.budget.sramUsed,
    flashBytes: memory.flash.total,
    fits: memory.fits,
    validationF1: outcome.validation?.positiveF1 ?? null,
    testF1: outcome.test?.positiveF1 ?? null,
  };
}

export function baselinesMarkdown(report: BaselineReport): string {
  const row = (name: string, r: ModelResult | null | undefined) =>
    r
      ? `| ${name} | \`${r.summary}\` | ${r.sramBytes} | ${r.flashBytes} | ${r.fits ? 'yes' : 'no'} | ${fmt(r.validationF1)} | ${fmt(r.testF1)} |`
      : `| ${name} | – | | | | | |`;
  return [
    '## Baselines (MicroNAS)',
    '',
    '| model | architecture | SRAM B | flash B | fits | val F1 | test F1 |',
    '|---|---|---|---|---|---|---|',
    row('memory-constrained search (weighted loss)', report.constrained),
    row('same winner, unweighted loss', report.unweighted),
    row('two-stage: unconstrained winner', report.twoStage?.unconstrained),
    row('two-stage: pruned to fit + fine-tuned', report.twoStage?.pruned),
    '',
    report.twoStage?.note ? `Two-stage note: ${report.twoStage.note}` : '',
    '',
  ].join('\n');
}
