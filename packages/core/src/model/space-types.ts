/**
 * Search spaces as the normalized spec holds them: every range filled in (space-defaults.ts), choice lists sorted
 * ascending without repeats (downsampleBlocks, a set, stays in file order). `[min, max]` pairs are inclusive.
 * spaces.ts turns them into architectures.
 */
export type SearchSpaceKind = 'cnn1d' | 'gru' | 'dsconv';
export type PoolChoice = 'none' | 'max' | 'avg';

/** Choices for one convolution (the GRU's front end, the dsconv stem). */
export interface ConvChoices {
  filters: number[];
  kernels: number[];
  strides: number[];
}

/**
 * MicroNAS: `blocks` blocks of conv1d (`same`, ReLU) each optionally followed by a pool (size = stride = poolSize),
 * then global average pooling, an optional dense layer (denseUnits, 0 = none, ReLU) and the logits layer.
 */
export interface Cnn1dSpace {
  kind: 'cnn1d';
  blocks: [number, number];
  filters: number[];
  kernels: number[];
  strides: number[];
  pools: PoolChoice[];
  poolSize: number;
  denseUnits: number[];
}

/**
 * GRU stack of `layers` GRUs (each with its own units; all but the last return sequences), then the logits layer;
 * optionally a conv1d front end (`same`, ReLU) that shortens the sequence first (`frontEnd.filters` 0 = none).
 */
export interface GruSpace {
  kind: 'gru';
  layers: [number, number];
  units: number[];
  frontEnd: ConvChoices;
}

/**
 * UR2M: a stem conv1d (`same`, ReLU6), then `blocks` depthwise-separable blocks of one width (`channels`):
 * pointwise to channels·expansion → depthwise (kernel, stride 2 at the blocks listed in downsampleBlocks, else 1) →
 * pointwise to channels, all ReLU6; then global average pooling and the logits layer. Blocks split into
 * shallow/medium/deep thirds, where the cascade attaches its exits.
 */
export interface DsconvSpace {
  kind: 'dsconv';
  blocks: [number, number];
  channels: number[];
  expansions: number[];
  kernels: number[];
  stem: ConvChoices;
  /** 0-based block indices whose depthwise conv has stride 2 (indices beyond a network's block count are unused). */
  downsampleBlocks: number[];
}

export type SearchSpace = Cnn1dSpace | GruSpace | DsconvSpace;
