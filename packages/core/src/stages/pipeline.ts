/**
 * The pipeline's stage contract, DVC-style: for each stage, the spec sections (params) it reads, whether the board
 * definition and the dataset registry entry are dependencies, and the library folders whose code shapes its outputs.
 * The Nx plugin turns this table into cache inputs; nothing else should hard-code it.
 */
export const STAGES = ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test'] as const;
export type StageName = (typeof STAGES)[number];

export interface StageContract {
  description: string;
  /** Top-level spec keys whose normalized values are this stage's parameters. */
  params: readonly ('seed' | 'window' | 'search' | 'train-cascade' | 'quantize' | 'emit-firmware' | 'flash-test' | 'board')[];
  /** The dataset archive (resolved: full or sample, and its sha256) is a dependency. */
  dataset: boolean;
  /** firmware/boards/<board>/board.yaml is a dependency. */
  board: boolean;
  /** Globs (relative to packages/core/src) of the code that produces this stage's outputs. */
  code: readonly string[];
  /** Whether the stage exists yet; the others fail with a clear message. */
  implemented: boolean;
}

/** Every stage reads the spec; globs are relative to packages/core/src. */
const SPEC_CODE = ['common/**/*.ts', 'spec/**/*', 'stages/pipeline.ts'];

export const STAGE_CONTRACTS: Readonly<Record<StageName, StageContract>> = {
  window: {
    description: 'Reads the dataset, resamples, cuts labelled windows and builds subject-grouped folds with normalisation statistics.',
    params: ['window'],
    dataset: true,
    board: false,
    code: [...SPEC_CODE, 'data/**/*.ts', 'stages/window.ts'],
    implemented: true,
  },
  search: {
    description: "Memory-constrained architecture search (MicroNAS): trains only candidates that fit the board's SRAM and flash.",
    params: ['seed', 'search', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'train/**/*.ts', 'search/**/*.ts', 'stages/search.ts'],
    implemented: true,
  },
  'train-cascade': {
    description: 'Trains the evidential early-exit cascade (UR2M) on the searched backbone and calibrates exit thresholds.',
    params: ['seed', 'train-cascade'],
    dataset: false,
    board: false,
    code: [...SPEC_CODE, 'model/**/*.ts', 'train/**/*.ts', 'stages/train-cascade.ts'],
    implemented: false,
  },
  quantize: {
    description: 'int8 post-training quantisation and the integer reference interpreter (golden vectors).',
    params: ['seed', 'quantize'],
    dataset: false,
    board: false,
    code: [...SPEC_CODE, 'model/**/*.ts', 'quantize/**/*.ts', 'stages/quantize.ts'],
    implemented: false,
  },
  'emit-firmware': {
    description: 'Generates model.c/model.h and the board build files from the quantised model.',
    params: ['emit-firmware', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'firmware/**/*.ts', 'stages/emit-firmware.ts'],
    implemented: false,
  },
  'flash-test': {
    description: 'Builds and runs the firmware on QEMU, the host or a board and checks it bit-exact against the golden vectors.',
    params: ['flash-test', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'flash/**/*.ts', 'stages/flash-test.ts'],
    implemented: false,
  },
};

/**
 * Code of the search's shard targets (`search-r<round>-s<shard>`, opt-in; they run with the search stage's params
 * and board): the search stage's code without stages/search.ts, which only assembles and reports, plus their own
 * stage function. So a change to the report reruns the assembly, not the training.
 */
export const SEARCH_SHARD_CODE: readonly string[] = [...STAGE_CONTRACTS.search.code.filter((glob) => glob !== 'stages/search.ts'), 'stages/search-shard.ts'];

export function previousStage(stage: StageName): StageName | null {
  const index = STAGES.indexOf(stage);
  return index > 0 ? STAGES[index - 1] : null;
}
