import { isUserError } from '../common/errors';
import type { Log } from '../common/log';
import type { ModelIR } from '../model/ir';
import { estimateMemory } from '../model/memory';
import { pruneToFit } from '../model/prune';
import { summarizeIR } from '../model/cost';
import type { HeadSpec } from '../model/spaces';
import type { BoardDefinition, NormalizedSearch } from '../spec/types';
import { drawCandidates, type Candidate } from './candidates';
import { fmt, runSchedule, trialRequest, type JournaledTrials, type Selection, type TrialRecord } from './run-schedule';
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

/** MicroNAS's comparisons, run after the search on the same fold, data and journal. */
export async function runBaselines(context: BaselineContext, winner: { candidate: Candidate; outcome: TrialOutcome }): Promise<BaselineReport> {
  const { search, seed, board, trials, log } = context;
  const report: BaselineReport = {
    constrained: { candidate: winner.candidate.id, ...modelResult(winner.candidate.ir, context, winner.outcome) },
    twoStage: null,
    unweighted: null,
  };

  if (search.baselines.unweighted) {
    const request = trialRequest(`unweighted/${winner.candidate.id}`, winner.candidate, { ...search, weightedLoss: false }, seed, search.epochs, search.maxTrainWindows, context.selection);
    const outcome = await trials.run(request, () => '[ablation]');
    report.unweighted = modelResult(winner.candidate.ir, context, outcome);
  }

  if (search.baselines.twoStage) {
    const draw = drawCandidates(search, context.shape, context.head, board, null, seed);
    log(`search: two-stage baseline: ${draw.candidates.length} candidates without the memory constraint`);
    const stage1 = await runSchedule(draw.candidates, context.schedule(draw.candidates.length), search, seed, trials, context.selection, 'two-stage/');
    const unconstrained = { candidate: stage1.winner.candidate.id, ...modelResult(stage1.winner.candidate.ir, context, stage1.winner.outcome) };
    report.twoStage = { unconstrained, pruned: null, note: null, trials: stage1.trials };
    if (unconstrained.fits) {
      report.twoStage.note = 'the unconstrained winner fits the budget as it is; nothing to prune';
    } else {
      try {
        const fits = (ir: ModelIR) => estimateMemory(ir, board, search.budget).fits;
        const pruned = pruneToFit(stage1.winner.candidate.ir, stage1.winner.outcome.weights, fits);
        const finetune = await trials.run(
          {
            ...trialRequest('two-stage/pruned-finetune', { ...stage1.winner.candidate, ir: pruned.ir }, search, seed, search.epochs, search.maxTrainWindows, context.selection),
            initialWeights: pruned.weights,
          },
          () => '[two-stage fine-tune]',
        );
        report.twoStage.pruned = { ...modelResult(pruned.ir, context, finetune), removedChannels: pruned.removed.length, finetuneEpochs: finetune.epochsRun };
      } catch (error) {
        if (!isUserError(error)) throw error;
        report.twoStage.note = error.message;
      }
    }
    const pruned = report.twoStage.pruned;
    log(
      `search: two-stage: unconstrained ${unconstrained.summary} SRAM ${unconstrained.sramBytes} B flash ${unconstrained.flashBytes} B val F1 ${fmt(unconstrained.validationF1)}` +
        (pruned ? ` → pruned ${pruned.summary} SRAM ${pruned.sramBytes} B val F1 ${fmt(pruned.validationF1)}` : ` (${report.twoStage.note})`),
    );
  }
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
    r ? `| ${name} | \`${r.summary}\` | ${r.sramBytes} | ${r.flashBytes} | ${r.fits ? 'yes' : 'no'} | ${fmt(r.validationF1)} | ${fmt(r.testF1)} |` : `| ${name} | – | | | | | |`;
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
