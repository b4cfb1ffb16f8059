import { Random } from '../common/random';
import type { ModelIR } from '../model/ir';
import { budgetProblems, estimateMemory, type MemoryBudget } from '../model/memory';
import { modelCost } from '../model/cost';
import { enumerateArchitectures, sampleArchitecture, type Architecture, type BlockSpan, type HeadSpec } from '../model/spaces';
import type { BoardMemory, NormalizedSearch } from '../spec/types';

/** A candidate the search will train: an architecture with its cost and the memory model's verdict. */
export interface Candidate {
  id: string;
  summary: string;
  ir: ModelIR;
  /** The space's repeated blocks as IR layer spans: where a cascade may attach its exits. */
  blocks: BlockSpan[];
  macs: number;
  params: number;
  flashBytes: number;
  /** arena + input + result + static RAM + stack, what the budget's sramBytes is compared with. */
  sramBytes: number;
  arenaBytes: number;
}

export interface CandidateDraw {
  candidates: Candidate[];
  /** Architectures drawn but not trained because they do not fit the budget (MicroNAS: never evaluated). */
  rejected: { count: number; reasons: Record<string, number> };
  duplicates: number;
}

/**
 * Draws up to `settings.trials` distinct architectures that fit `budget` (null: no constraint, for the two-stage
 * baseline). Random and successive halving sample with one derived stream per draw; grid enumerates the space in its
 * fixed order. Rejected ones are counted by reason and never trained.
 */
export function drawCandidates(
  settings: Pick<NormalizedSearch, 'space' | 'strategy' | 'trials'>,
  input: ModelIR['input'],
  head: HeadSpec,
  board: { memory: BoardMemory },
  budget: MemoryBudget | null,
  seed: number,
): CandidateDraw {
  const draw: CandidateDraw = { candidates: [], rejected: { count: 0, reasons: {} }, duplicates: 0 };
  const seen = new Set<string>();
  const consider = (architecture: Architecture) => {
    if (seen.has(architecture.summary)) {
      draw.duplicates++;
      return;
    }
    seen.add(architecture.summary);
    const memory = estimateMemory(architecture.ir, board, budget ?? { sramBytes: Number.MAX_SAFE_INTEGER, flashBytes: Number.MAX_SAFE_INTEGER });
    if (budget && !memory.fits) {
      draw.rejected.count++;
      for (const problem of budgetProblems(memory, budget)) {
        const reason = problem.split(':')[0].split(' ')[0];
        draw.rejected.reasons[reason] = (draw.rejected.reasons[reason] ?? 0) + 1;
      }
      return;
    }
    const cost = modelCost(architecture.ir);
    draw.candidates.push({
      id: `c${String(draw.candidates.length).padStart(3, '0')}`,
      summary: architecture.summary,
      ir: architecture.ir,
      blocks: architecture.blocks,
      macs: cost.macs,
      params: cost.params,
      flashBytes: memory.flash.total,
      sramBytes: memory.budget.sramUsed,
      arenaBytes: memory.sram.arena,
    });
  };

  if (settings.strategy === 'grid') {
    for (const architecture of enumerateArchitectures(settings.space, input, head, settings.trials * 50)) {
      if (draw.candidates.length >= settings.trials) break;
      consider(architecture);
    }
  } else {
    const maxDraws = settings.trials * 50;
    for (let i = 0; i < maxDraws && draw.candidates.length < settings.trials; i++) {
      consider(sampleArchitecture(settings.space, input, head, Random.derive(seed, 0x5eed + i)));
    }
  }
  return draw;
}
