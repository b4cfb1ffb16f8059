import type { ExperimentArtifacts } from './artifacts';

/** The figures two experiments are compared on; null where the stage that gives them has not run. */
export interface Headline {
  experiment: string;
  dataset: string | null;
  board: string | null;
  windows: number | null;
  winner: string | null;
  metric: string | null;
  validationScore: number | null;
  searchTestF1: number | null;
  sramBytes: number | null;
  flashBytes: number | null;
  macs: number | null;
  cascadeEventF1: number | null;
  cascadeEce: number | null;
  expectedMacs: number | null;
  int8EventF1: number | null;
  int8Drop: number | null;
  bitExact: string | null;
  linkedFlashBytes: number | null;
  linkedSramBytes: number | null;
  instructionsPerInference: number | null;
}

export const HEADLINE_COLUMNS: readonly { key: keyof Headline; title: string; better?: 'higher' | 'lower' }[] = [
  { key: 'dataset', title: 'dataset' },
  { key: 'board', title: 'board' },
  { key: 'windows', title: 'windows' },
  { key: 'winner', title: 'searched model' },
  { key: 'validationScore', title: 'search: validation metric', better: 'higher' },
  { key: 'searchTestF1', title: 'search: test metric', better: 'higher' },
  { key: 'sramBytes', title: 'SRAM B (model)', better: 'lower' },
  { key: 'flashBytes', title: 'flash B (model)', better: 'lower' },
  { key: 'macs', title: 'MACs', better: 'lower' },
  { key: 'cascadeEventF1', title: 'cascade: event F1', better: 'higher' },
  { key: 'cascadeEce', title: 'cascade: ECE', better: 'lower' },
  { key: 'expectedMacs', title: 'cascade: expected MACs', better: 'lower' },
  { key: 'int8EventF1', title: 'int8: event F1', better: 'higher' },
  { key: 'int8Drop', title: 'int8: F1 drop', better: 'lower' },
  { key: 'bitExact', title: 'firmware bit-exact' },
  { key: 'linkedFlashBytes', title: 'flash B (linked)', better: 'lower' },
  { key: 'linkedSramBytes', title: 'SRAM B (linked)', better: 'lower' },
  { key: 'instructionsPerInference', title: 'instructions / inference', better: 'lower' },
];

export function headlineOf(a: ExperimentArtifacts): Headline {
  const winner = a.search ? (a.search.trials.candidates.find((c) => c.id === a.search!.best.candidate) ?? null) : null;
  const ur2m = a.cascade?.test.methods['ur2m-cascade'] ?? null;
  const report = a.flashTest?.report ?? null;
  // a skipped run (runner: board, none attached) measured nothing
  const flash = report && !('skipped' in report) ? report : null;
  return {
    experiment: a.experiment,
    dataset: a.window ? `${a.window.dataset.id} (${a.window.dataset.variant})` : null,
    board: a.search?.trials.board ?? report?.board ?? null,
    windows: a.window?.counts.windows ?? null,
    winner: a.search ? a.search.best.summary : null,
    metric: a.search?.trials.metric ?? null,
    validationScore: a.search
      ? a.search.trials.trials.filter((t) => t.candidate === a.search!.best.candidate).reduce((best, t) => (t.rung >= best.rung ? t : best)).score
      : null,
    searchTestF1: (a.search?.trials.metric === 'macro-f1' ? a.search.best.test?.macroF1 : a.search?.best.test?.positiveF1) ?? null,
    sramBytes: winner?.sramBytes ?? null,
    flashBytes: winner?.flashBytes ?? null,
    macs: winner?.macs ?? null,
    cascadeEventF1: ur2m?.eventF1 ?? null,
    cascadeEce: ur2m?.ece ?? null,
    expectedMacs: ur2m?.exits?.expectedMacs ?? null,
    int8EventF1: a.quantize?.report.int8.eventF1 ?? null,
    int8Drop: a.quantize?.report.drop.eventF1 ?? null,
    bitExact: flash ? `${flash.vectors.passed}/${flash.vectors.total} (${flash.runner})` : null,
    linkedFlashBytes: flash?.memory.flash.used ?? null,
    linkedSramBytes: flash?.memory.sram.used ?? null,
    instructionsPerInference: flash?.instructions?.perInference.mean ?? null,
  };
}
