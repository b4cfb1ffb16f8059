import type { ConvChoices, Cnn1dSpace, DsconvSpace, GruSpace, PoolChoice, SearchSpace, SearchSpaceKind } from './space-types';

/**
 * Default ranges of each space, sized for a ~120 × 6 window on a 128–320 KB microcontroller (the widest defaults fit
 * an STM32F446ZE; wider choices are allowed, the budget filter rejects what does not fit). Keep experiment.schema.json's
 * descriptions in step with these.
 */
export const DEFAULT_SPACES: { readonly cnn1d: Cnn1dSpace; readonly gru: GruSpace; readonly dsconv: DsconvSpace } = {
  cnn1d: {
    kind: 'cnn1d',
    blocks: [1, 4],
    filters: [8, 16, 32, 64],
    kernels: [3, 5, 7],
    strides: [1, 2],
    pools: ['none', 'max', 'avg'],
    poolSize: 2,
    denseUnits: [0, 16, 32],
  },
  gru: {
    kind: 'gru',
    layers: [1, 2],
    units: [8, 16, 32, 64],
    frontEnd: { filters: [0, 16, 32], kernels: [3, 5], strides: [2, 4] },
  },
  dsconv: {
    kind: 'dsconv',
    blocks: [3, 7],
    channels: [8, 16, 32, 64],
    expansions: [1],
    kernels: [3],
    stem: { filters: [16], kernels: [5], strides: [2] },
    downsampleBlocks: [1, 3],
  },
};

/** A space as experiment.yaml may write it: a kind alone, or the kind with some of its ranges. */
export type RawSearchSpace =
  | SearchSpaceKind
  | {
      kind: SearchSpaceKind;
      blocks?: [number, number];
      filters?: number[];
      kernels?: number[];
      strides?: number[];
      pools?: PoolChoice[];
      poolSize?: number;
      denseUnits?: number[];
      layers?: [number, number];
      units?: number[];
      frontEnd?: Partial<ConvChoices>;
      channels?: number[];
      expansions?: number[];
      stem?: Partial<ConvChoices>;
      downsampleBlocks?: number[];
    };

const POOL_ORDER: readonly PoolChoice[] = ['none', 'max', 'avg'];

/**
 * The full space: the kind's defaults for every range not written, choice lists sorted ascending (pools: none, max,
 * avg) so that two spellings of one space sample and enumerate the same architectures (downsampleBlocks, a set whose
 * order changes nothing, stays as written). Keys of other kinds are
 * ignored here (the spec check reports them).
 */
export function normalizeSearchSpace(raw: RawSearchSpace): SearchSpace {
  if (typeof raw === 'string') return structuredClone(DEFAULT_SPACES[raw]);
  const numbers = (given: number[] | undefined, fallback: number[]) => sortedUnique(given ?? fallback);
  const pair = (given: [number, number] | undefined, fallback: [number, number]): [number, number] => [...(given ?? fallback)] as [number, number];
  const conv = (given: Partial<ConvChoices> | undefined, fallback: ConvChoices): ConvChoices => ({
    filters: numbers(given?.filters, fallback.filters),
    kernels: numbers(given?.kernels, fallback.kernels),
    strides: numbers(given?.strides, fallback.strides),
  });
  switch (raw.kind) {
    case 'cnn1d': {
      const d = DEFAULT_SPACES.cnn1d;
      return {
        kind: 'cnn1d',
        blocks: pair(raw.blocks, d.blocks),
        filters: numbers(raw.filters, d.filters),
        kernels: numbers(raw.kernels, d.kernels),
        strides: numbers(raw.strides, d.strides),
        pools: POOL_ORDER.filter((p) => (raw.pools ?? d.pools).includes(p)),
        poolSize: raw.poolSize ?? d.poolSize,
        denseUnits: numbers(raw.denseUnits, d.denseUnits),
      };
    }
    case 'gru': {
      const d = DEFAULT_SPACES.gru;
      return { kind: 'gru', layers: pair(raw.layers, d.layers), units: numbers(raw.units, d.units), frontEnd: conv(raw.frontEnd, d.frontEnd) };
    }
    case 'dsconv': {
      const d = DEFAULT_SPACES.dsconv;
      return {
        kind: 'dsconv',
        blocks: pair(raw.blocks, d.blocks),
        channels: numbers(raw.channels, d.channels),
        expansions: numbers(raw.expansions, d.expansions),
        kernels: numbers(raw.kernels, d.kernels),
        stem: conv(raw.stem, d.stem),
        // A set (order does not change the networks); kept in file order so the spec check can point at item i.
        downsampleBlocks: [...(raw.downsampleBlocks ?? d.downsampleBlocks)],
      };
    }
  }
}

/** Which keys of the object form each kind reads (the spec check rejects the others). */
export const SPACE_KEYS: Readonly<Record<SearchSpaceKind, readonly string[]>> = {
  cnn1d: ['kind', 'blocks', 'filters', 'kernels', 'strides', 'pools', 'poolSize', 'denseUnits'],
  gru: ['kind', 'layers', 'units', 'frontEnd'],
  dsconv: ['kind', 'blocks', 'channels', 'expansions', 'kernels', 'stem', 'downsampleBlocks'],
};

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
