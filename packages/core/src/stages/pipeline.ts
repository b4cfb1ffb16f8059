/**
 * The pipeline's stage contract, DVC-style: for each stage, the spec sections (params) it reads, whether the board
 * definition and the dataset registry entry are dependencies, and the library folders whose code shapes its outputs.
 * The Nx plugin turns this table into cache inputs; nothing else should hard-code it.
 */
export const STAGES = ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test'] as const;
export type StageName = (typeof STAGES)[number];

/** A spec section a stage reads: a top-level key, or one setting inside a section (`section.key`). */
export type StageParam = 'seed' | 'window' | 'train' | 'search' | 'train-cascade' | 'quantize' | 'emit-firmware' | 'flash-test' | 'evaluate' | 'board' | 'evaluate.postProcessing';

export interface StageContract {
  description: string;
  /**
   * The spec sections whose normalized values are this stage's parameters: top-level keys, or one key inside a
   * section (emit-firmware reads only `evaluate.postProcessing`, so the rest of `evaluate:` leaves it cached).
   */
  params: readonly StageParam[];
  /** The dataset archive (resolved: full or sample, and its sha256) is a dependency. */
  dataset: boolean;
  /** firmware/boards/<board>/board.yaml is a dependency. */
  board: boolean;
  /** Globs (relative to packages/core/src) of the code that produces this stage's outputs. */
  code: readonly string[];
  /** Globs (relative to firmware/) of the C code the stage ships or builds. */
  firmware?: readonly string[];
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
    params: ['seed', 'train', 'search', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'train/**/*.ts', 'search/**/*.ts', 'stages/search.ts'],
    implemented: true,
  },
  'train-cascade': {
    description: 'Trains the evidential early-exit cascade (UR2M) on the searched backbone, calibrates exit thresholds and compares it with softmax, deep-ensemble, TTA and no-cascade baselines.',
    params: ['seed', 'train', 'train-cascade', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'train/**/*', 'stages/train-cascade.ts'],
    implemented: true,
  },
  quantize: {
    description: 'int8 post-training quantisation, the flash blob, the float-vs-int8 report and golden vectors from the integer reference interpreter.',
    params: ['seed', 'quantize', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'train/**/*', 'quantize/**/*.ts', 'stages/quantize.ts', 'data/recording.ts', 'data/adapters/*.ts'],
    implemented: true,
  },
  'emit-firmware': {
    description:
      'Generates model.c/model.h (flash blob + planned arena, the alarm rule of evaluate.postProcessing), the C runtime, the golden-vector test program and the board build files (CMake + board.yaml linker script, or an ESP-IDF component).',
    params: ['emit-firmware', 'board', 'evaluate.postProcessing'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'quantize/**/*.ts', 'firmware/**/*.ts', 'flash/**/*.ts', 'evaluate/alarms.ts', 'stages/emit-firmware.ts', 'stages/quantize.ts'],
    firmware: ['runtime/*', 'platform/**/*'],
    implemented: true,
  },
  'flash-test': {
    description: 'Builds the golden-vector test program and runs it on QEMU, the host (ASan/UBSan) or a board: bit-exact against the integer reference interpreter, memory against the memory model, instruction counts.',
    params: ['flash-test', 'board'],
    dataset: false,
    board: true,
    code: [...SPEC_CODE, 'model/**/*.ts', 'firmware/**/*.ts', 'flash/**/*.ts', 'evaluate/alarms.ts', 'stages/flash-test.ts', 'stages/emit-firmware.ts'],
    firmware: ['platform/**/*'],
    implemented: true,
  },
};

/**
 * Code of the search's shard targets (`search-r<round>-s<shard>`, opt-in; they run with the search stage's params
 * and board): the search stage's code without stages/search.ts, which only assembles and reports, plus their own
 * stage function. So a change to the report reruns the assembly, not the training.
 */
export const SEARCH_SHARD_CODE: readonly string[] = [...STAGE_CONTRACTS.search.code.filter((glob) => glob !== 'stages/search.ts'), 'stages/search-shard.ts'];

/**
 * The evaluate branch (after train-cascade and quantize, beside the firmware stages): the `evaluate` aggregator and
 * its fold shard targets `evaluate-s<shard>`. It reads the seed, its own section and the sections whose settings it
 * reuses per fold (train-cascade's training, quantize's calibration), so editing either reruns it.
 */
export const EVALUATE_STAGE = 'evaluate' as const;
export type FingerprintedStage = StageName | typeof EVALUATE_STAGE;

export const EVALUATE_CONTRACT: StageContract = {
  description:
    'Every subject held out once: retrains the deployed cascade per outer fold, calibrates thresholds on inner validation subjects, scores cascade and deep exit (float and int8) window- and event-level, and aggregates mean ± sd, median, worst subject and pooled.',
  params: ['seed', 'train', 'evaluate', 'train-cascade', 'quantize', 'board'],
  dataset: false,
  board: true,
  code: [...SPEC_CODE, 'data/window-store.ts', 'model/**/*.ts', 'train/**/*', 'quantize/**/*.ts', 'evaluate/**/*.ts', 'stages/read-stage-output.ts', 'stages/quantize.ts', 'stages/evaluate-shard.ts', 'stages/evaluate.ts'],
  implemented: true,
};

/** Code of the fold shard targets: the evaluate code without stages/evaluate.ts, which only assembles and reports. */
export const EVALUATE_SHARD_CODE: readonly string[] = EVALUATE_CONTRACT.code.filter((glob) => glob !== 'stages/evaluate.ts');

export function stageContract(stage: FingerprintedStage): StageContract {
  return stage === EVALUATE_STAGE ? EVALUATE_CONTRACT : STAGE_CONTRACTS[stage];
}

export function previousStage(stage: StageName): StageName | null {
  const index = STAGES.indexOf(stage);
  return index > 0 ? STAGES[index - 1] : null;
}
