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
  /** Folders of packages/core/src whose code produces this stage's outputs. */
  code: readonly string[];
  /** Whether the stage exists yet; the others fail with a clear message. */
  implemented: boolean;
}

const SPEC_CODE = ['common', 'spec'];

export const STAGE_CONTRACTS: Readonly<Record<StageName, StageContract>> = {
  window: {
    description: 'Reads the dataset, resamples, cuts labelled windows and builds subject-grouped folds with normalisation statistics.',
    params: ['window'],
    dataset: true,
    board: false,
    code: [...SPEC_CODE, 'data', 'stages'],
    implemented: true,
  },
  search: {
    description: "Memory-constrained architecture search (MicroNAS): trains only candidates that fit the board's SRAM and flash.",
    params: ['seed', 'search', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model', 'train', 'search', 'stages'],
    implemented: false,
  },
  'train-cascade': {
    description: 'Trains the evidential early-exit cascade (UR2M) on the searched backbone and calibrates exit thresholds.',
    params: ['seed', 'train-cascade'],
    dataset: false,
    board: false,
    code: [...SPEC_CODE, 'model', 'train', 'stages'],
    implemented: false,
  },
  quantize: {
    description: 'int8 post-training quantisation and the integer reference interpreter (golden vectors).',
    params: ['seed', 'quantize'],
    dataset: false,
    board: false,
    code: [...SPEC_CODE, 'model', 'quantize', 'stages'],
    implemented: false,
  },
  'emit-firmware': {
    description: 'Generates model.c/model.h and the board build files from the quantised model.',
    params: ['emit-firmware', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model', 'firmware', 'stages'],
    implemented: false,
  },
  'flash-test': {
    description: 'Builds and runs the firmware on QEMU, the host or a board and checks it bit-exact against the golden vectors.',
    params: ['flash-test', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'flash', 'stages'],
    implemented: false,
  },
};

export function previousStage(stage: StageName): StageName | null {
  const index = STAGES.indexOf(stage);
  return index > 0 ? STAGES[index - 1] : null;
}
