import { estimateMemory } from '../model/memory';
import type { BoardDefinition, NormalizedSearch } from '../spec/types';
import { baselinesMarkdown } from './baselines';
import type { Candidate, CandidateDraw } from './candidates';
import { paretoFront } from './pareto';
import type { SearchPlan, SearchTrialsResult } from './program';
import { fmt, type Selection, type TrialRecord } from './run-schedule';
import { SEARCH_TRIALS_FORMAT, type ParetoFile, type SearchResults, type SearchTrialsFile } from './search-results';
import type { SearchedModel } from './searched-model';

/** The search's outputs from its plan and its trials: the table, the front (F1 vs SRAM), the searched model, the summary. */
export function searchResults(experiment: string, plan: SearchPlan, ran: SearchTrialsResult): SearchResults {
  const { manifest, fold, draw, schedule, selection } = plan;
  const { search, board } = plan.setup;
  const { winner, records, baselines } = ran;
  const front = searchFront(draw.candidates, records);
  const memory = estimateMemory(winner.candidate.ir, board, search.budget);
  const trials: SearchTrialsFile = {
    format: SEARCH_TRIALS_FORMAT,
    experiment,
    board: board.name,
    budget: search.budget,
    strategy: search.strategy,
    space: search.space,
    fold,
    subjects: winner.outcome.subjects,
    classes: manifest.classes,
    positiveClass: winner.outcome.validation?.positiveClass ?? null,
    metric: selection.monitor,
    schedule,
    rejected: draw.rejected,
    duplicatesSkipped: draw.duplicates,
    candidates: draw.candidates.map(({ ir, ...rest }) => ({ ...rest, ir })),
    trials: records,
  };
  const best: SearchedModel = {
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
  };
  const pareto = { metric: `validation ${selection.monitor} vs SRAM (arena + input + result + static + stack)`, front };
  const summary = `${summaryMarkdown(experiment, board, search, fold, draw, records, winner.candidate, front, selection)}\n${baselinesMarkdown(baselines)}`;
  return { trials, pareto, best, baselines, summary };
}

/** Each candidate at the highest rung it reached, and the candidates no other beats on both score and SRAM. */
function searchFront(candidates: readonly Candidate[], records: readonly TrialRecord[]): ParetoFile['front'] {
  const reached = highestRungs(records);
  return paretoFront(
    candidates.map((c) => ({
      id: c.id,
      summary: c.summary,
      cost: c.sramBytes,
      flashBytes: c.flashBytes,
      rung: reached.get(c.id)!.rung,
      score: reached.get(c.id)!.score,
    })),
  ).map(({ cost, score, ...rest }) => ({ ...rest, sramBytes: cost, score }));
}

/** Each candidate's trial at the highest rung it reached (its score there is its final one). */
function highestRungs(records: readonly TrialRecord[]): Map<string, TrialRecord> {
  const reached = new Map<string, TrialRecord>();
  for (const trial of records) if ((reached.get(trial.candidate)?.rung ?? -1) < trial.rung) reached.set(trial.candidate, trial);
  return reached;
}

function summaryMarkdown(
  experiment: string,
  board: BoardDefinition,
  search: NormalizedSearch,
  fold: string,
  draw: CandidateDraw,
  trials: TrialRecord[],
  best: Candidate,
  front: { id: string }[],
  selection: Selection,
): string {
  const onFront = new Set(front.map((p) => p.id));
  const final = highestRungs(trials);
  const rows = draw.candidates
    .map((c) => ({ c, t: final.get(c.id)! }))
    .sort((a, b) => b.t.rung - a.t.rung || b.t.score - a.t.score)
    .map(
      ({ c, t }) =>
        `| ${c.id}${c.id === best.id ? ' (best)' : ''}${onFront.has(c.id) ? ' ◆' : ''} | \`${c.summary}\` | ${c.macs} | ${c.sramBytes} | ${c.flashBytes} | ${t.rung} | ${fmt(t.score)} | ${fmt(t.validationF1)} | ${fmt(t.testF1)} |`,
    );
  return [
    `# Search: ${experiment}`,
    '',
    `${search.strategy} over ${search.space.kind} on ${board.name}, budget SRAM ${search.budget.sramBytes} B / flash ${search.budget.flashBytes} B; outer fold ${fold}.`,
    `${draw.candidates.length} candidates trained, ${draw.rejected.count} rejected by the memory model without training. ◆ = on the Pareto front (validation ${selection.monitor} vs SRAM).`,
    '',
    `| candidate | architecture | MACs | SRAM B | flash B | rung | val ${selection.monitor} | val F1 (positive) | test F1 (positive) |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
