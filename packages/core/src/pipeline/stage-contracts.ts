/**
 * The pipeline's stage contract, DVC-style: for each stage, the spec sections (params) it reads, whether the board
 * definition and the dataset registry entry are dependencies, and the firmware C it ships. The Nx plugin turns this
 * table into cache inputs; nothing else should hard-code it. The TypeScript code a stage runs is not listed here:
 * the plugin follows its executor's real import graph (nx-tinyml/src/plugin/executor-code.ts).
 */
export const STAGES = ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test'] as const;
export type StageName = (typeof STAGES)[number];

/** A spec section a stage reads: a top-level key, or one setting inside a section (`section.key`). */
export type StageParam =
  'seed' | 'window' | 'train' | 'search' | 'train-cascade' | 'quantize' | 'emit-firmware' | 'flash-test' | 'evaluate' | 'board' | 'evaluate.postProcessing';

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
  /** Globs (relative to firmware/) of the C code the stage ships or builds. */
  firmware?: readonly string[];
  /** Whether the stage exists yet; the others fail with a clear message. */
  implemented: boolean;
}

export const STAGE_CONTRACTS: Readonly<Record<StageName, StageContract>> = {
  window: {
    description: 'Reads the dataset, resamples, cuts labelled windows and builds subject-grouped folds with normalisation statistics.',
    params: ['window'],
    dataset: true,
    board: false,
    implemented: true,
  },
  search: {
    description: "Memory-constrained architecture search (MicroNAS): trains only candidates that fit the board's SRAM and flash.",
    params: ['seed', 'train', 'search', 'board'],
    dataset: false,
    board: true,
    implemented: true,
  },
  'train-cascade': {
    description:
      'Trains the evidential early-exit cascade (UR2M) on the searched backbone, calibrates exit thresholds and compares it with softmax, deep-ensemble, TTA and no-cascade baselines.',
    params: ['seed', 'train', 'train-cascade', 'board'],
    dataset: false,
    board: true,
    implemented: true,
  },
  quantize: {
    description: 'int8 post-training quantisation, the flash blob, the float-vs-int8 report and golden vectors from the integer reference interpreter.',
    params: ['seed', 'quantize', 'board'],
    dataset: false,
    board: true,
    implemented: true,
  },
  'emit-firmware': {
    description:
      'Generates model.c/model.h (flash blob + planned arena, the alarm rule of evaluate.postProcessing), the C runtime, the golden-vector test program and the board build files (CMake + board.yaml linker script, or an ESP-IDF component).',
    params: ['emit-firmware', 'board', 'evaluate.postProcessing'],
    dataset: false,
    board: true,
    firmware: ['runtime/*', 'platform/**/*'],
    implemented: true,
  },
  'flash-test': {
    description:
      'Builds the golden-vector test program and runs it on QEMU, the host (ASan/UBSan) or a board: bit-exact against the integer reference interpreter, memory against the memory model, instruction counts.',
    params: ['flash-test', 'board'],
    dataset: false,
    board: true,
    firmware: ['platform/**/*'],
    implemented: true,
  },
};

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
  implemented: true,
};

export function stageContract(stage: FingerprintedStage): StageContract {
  return stage === EVALUATE_STAGE ? EVALUATE_CONTRACT : STAGE_CONTRACTS[stage];
}

export function previousStage(stage: StageName): StageName | null {
  const index = STAGES.indexOf(stage);
  return index > 0 ? STAGES[index - 1] : null;
}
