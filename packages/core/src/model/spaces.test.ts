import { describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import { inferShapes, validateIR } from './shapes';
import { DEFAULT_SPACES, normalizeSearchSpace } from './space-defaults';
import type { Cnn1dSpace, SearchSpace } from './space-types';
import { enumerateArchitectures, headForClasses, sampleArchitecture, spaceSize, thirdSizes } from './spaces';

const WINDOW = { length: 120, channels: 6 };
const BINARY = headForClasses(2);

describe('sampling', () => {
  const spaces: SearchSpace[] = [
    DEFAULT_SPACES.cnn1d,
    DEFAULT_SPACES.gru,
    DEFAULT_SPACES.dsconv,
    // Wide and aggressive: many stride-2 blocks and pools on short windows.
    { ...DEFAULT_SPACES.cnn1d, blocks: [1, 8], strides: [1, 2, 3], kernels: [1, 9], poolSize: 3 },
    { ...DEFAULT_SPACES.gru, layers: [1, 4], frontEnd: { filters: [8], kernels: [7], strides: [8] } },
    { ...DEFAULT_SPACES.dsconv, blocks: [3, 12], channels: [4, 512], expansions: [1, 4], kernels: [3, 5], downsampleBlocks: [0, 1, 2, 3, 4, 5, 6] },
  ];

  it('gives only valid IRs (property, over many seeds, inputs and heads)', () => {
    let count = 0;
    for (const [s, space] of spaces.entries()) {
      for (let seed = 0; seed < 150; seed++) {
        const random = new Random(seed * 31 + s);
        const input = { length: 1 + random.int(260), channels: 1 + random.int(12) };
        const head = headForClasses(2 + random.int(5));
        const architecture = sampleArchitecture(space, input, head, random);
        expect(() => validateIR(architecture.ir)).not.toThrow();
        const shapes = inferShapes(architecture.ir);
        expect(shapes[shapes.length - 1]).toEqual([1, head.outputs]);
        expect(architecture.ir.head).toBe(head.head);
        expect(architecture.ir.input).toEqual(input);
        count++;
      }
    }
    expect(count).toBe(900);
  });

  it('is deterministic for a Random state and varies across seeds', () => {
    for (const space of Object.values(DEFAULT_SPACES)) {
      const a = sampleArchitecture(space, WINDOW, BINARY, new Random(7));
      expect(sampleArchitecture(space, WINDOW, BINARY, new Random(7))).toEqual(a);
      const summaries = new Set(Array.from({ length: 20 }, (_, seed) => sampleArchitecture(space, WINDOW, BINARY, new Random(seed)).summary));
      expect(summaries.size).toBeGreaterThan(5);
    }
  });

  it('draws each decision from the space', () => {
    const random = new Random(3);
    for (let i = 0; i < 100; i++) {
      const { ir, blocks } = sampleArchitecture(DEFAULT_SPACES.cnn1d, WINDOW, BINARY, random);
      expect(blocks.length).toBeGreaterThanOrEqual(1);
      expect(blocks.length).toBeLessThanOrEqual(4);
      for (const block of blocks) {
        const conv = ir.layers[block.start];
        expect(conv.kind).toBe('conv1d');
        if (conv.kind !== 'conv1d') continue;
        expect(DEFAULT_SPACES.cnn1d.filters).toContain(conv.filters);
        expect(DEFAULT_SPACES.cnn1d.kernels).toContain(conv.kernel);
        expect(DEFAULT_SPACES.cnn1d.strides).toContain(conv.stride);
        expect(block.end - block.start).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('the cnn1d space', () => {
  const narrow: Cnn1dSpace = {
    kind: 'cnn1d',
    blocks: [2, 2],
    filters: [16, 32],
    kernels: [5],
    strides: [1],
    pools: ['none', 'max'],
    poolSize: 2,
    denseUnits: [0],
  };

  it('enumerates in the documented order and holds the reference CNN', () => {
    expect(spaceSize(narrow)).toBe(16n);
    const summaries = enumerateArchitectures(narrow, WINDOW, headForClasses(2), 100).map((a) => a.summary);
    expect(summaries).toHaveLength(16);
    expect(summaries.slice(0, 5)).toEqual([
      'conv16k5-conv16k5-gap-dense1',
      'conv16k5-conv16k5-maxpool2-gap-dense1',
      'conv16k5-conv32k5-gap-dense1',
      'conv16k5-conv32k5-maxpool2-gap-dense1',
      'conv16k5-maxpool2-conv16k5-gap-dense1',
    ]);
    expect(new Set(summaries).size).toBe(16);
    expect(enumerateArchitectures(narrow, WINDOW, headForClasses(3), 100).map((a) => a.summary)).toContain('conv16k5-maxpool2-conv32k5-gap-dense3');
  });

  it('leaves out pools the sequence is too short for', () => {
    const space: Cnn1dSpace = { ...narrow, blocks: [3, 3], strides: [4], pools: ['max'] };
    // 8 → conv s4 → 2 → pool → 1 → conv s4 → 1 (pool skipped) → conv → 1 (skipped).
    const [architecture] = enumerateArchitectures(space, { length: 8, channels: 1 }, BINARY, 1);
    expect(architecture.summary).toBe('conv16k5s4-maxpool2-conv16k5s4-conv16k5s4-gap-dense1');
    expect(architecture.blocks).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 3 },
      { start: 3, end: 4 },
    ]);
  });

  it('takes an evenly strided subset of a big space', () => {
    // Per block 4 filters × 3 kernels × 2 strides × 3 pools = 72; 3 dense heads; 1–4 blocks.
    expect(spaceSize(DEFAULT_SPACES.cnn1d)).toBe(3n * (72n + 72n ** 2n + 72n ** 3n + 72n ** 4n));
    const grid = enumerateArchitectures(DEFAULT_SPACES.cnn1d, WINDOW, BINARY, 40);
    expect(grid).toHaveLength(40);
    expect(grid[0].summary).toBe('conv8k3-gap-dense1');
    expect(grid.map((a) => a.summary)).toEqual(enumerateArchitectures(DEFAULT_SPACES.cnn1d, WINDOW, BINARY, 40).map((a) => a.summary));
    // Evenly strided: most of the subset lies in the 4-block part, which holds most of the space.
    expect(grid.filter((a) => a.blocks.length === 4).length).toBeGreaterThan(30);
    for (const architecture of grid) expect(() => validateIR(architecture.ir)).not.toThrow();
  });
});

describe('the gru space', () => {
  it('has an optional front end and stacks GRUs that return sequences except the last', () => {
    // Front ends: none + 2 filters × 2 kernels × 2 strides = 9; units 4 per layer; 1–2 layers.
    expect(spaceSize(DEFAULT_SPACES.gru)).toBe(9n * 4n + 9n * 16n);
    const all = enumerateArchitectures(DEFAULT_SPACES.gru, WINDOW, BINARY, 1000);
    expect(all).toHaveLength(180);
    expect(all[0].summary).toBe('gru8-dense1');
    expect(all[4].summary).toBe('conv16k3s2-gru8-dense1');
    expect(all[36].summary).toBe('gru8seq-gru8-dense1');
    expect(all[36].blocks).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
    ]);
    expect(new Set(all.map((a) => a.summary)).size).toBe(180);
  });
});

describe('the dsconv space', () => {
  it('enumerates channels × blocks (the UR2M grid) and strides a capped grid evenly', () => {
    expect(spaceSize(DEFAULT_SPACES.dsconv)).toBe(20n);
    const all = enumerateArchitectures(DEFAULT_SPACES.dsconv, WINDOW, BINARY, 100);
    expect(all.map((a) => `${a.blocks.length}×${(a.ir.layers[3] as { filters: number }).filters}`)).toEqual(
      [3, 4, 5, 6, 7].flatMap((blocks) => [8, 16, 32, 64].map((channels) => `${blocks}×${channels}`)),
    );
    const twelve = enumerateArchitectures(DEFAULT_SPACES.dsconv, WINDOW, BINARY, 12);
    expect(twelve.map((a) => a.summary)).toEqual([0, 1, 3, 5, 6, 8, 10, 11, 13, 15, 16, 18].map((i) => all[i].summary));
  });

  it('builds stem, blocks of pointwise → depthwise → pointwise, GAP and logits, with stride 2 where listed', () => {
    const [first] = enumerateArchitectures(DEFAULT_SPACES.dsconv, WINDOW, headForClasses(5), 1);
    expect(first.summary).toBe('conv16k5s2-pw8-dw3-pw8-pw8-dw3s2-pw8-pw8-dw3-pw8-gap-dense5');
    expect(first.ir.head).toBe('softmax');
    expect(inferShapes(first.ir)[first.blocks[2].end - 1]).toEqual([30, 8]);
  });

  it('splits blocks into shallow, medium and deep thirds, deep getting the remainder first', () => {
    expect([3, 4, 5, 6, 7].map(thirdSizes)).toEqual([
      [1, 1, 1],
      [1, 1, 2],
      [1, 2, 2],
      [2, 2, 2],
      [2, 2, 3],
    ]);
    const space = { ...DEFAULT_SPACES.dsconv, blocks: [5, 5] as [number, number], channels: [8] };
    const [five] = enumerateArchitectures(space, WINDOW, BINARY, 1);
    // Stem is layer 0; block b is layers 1 + 3b … 3 + 3b.
    expect(five.thirds).toEqual({
      shallow: { firstBlock: 0, endBlock: 1, tapLayer: 3 },
      medium: { firstBlock: 1, endBlock: 3, tapLayer: 9 },
      deep: { firstBlock: 3, endBlock: 5, tapLayer: 15 },
    });
    expect(five.ir.layers[16].kind).toBe('globalavgpool');
    for (const seed of [1, 2, 3]) {
      const { thirds, blocks } = sampleArchitecture(DEFAULT_SPACES.dsconv, WINDOW, BINARY, new Random(seed));
      expect(thirds?.deep.tapLayer).toBe(blocks[blocks.length - 1].end - 1);
    }
  });

  it('refuses fewer than 3 blocks when built in code', () => {
    expect(() => sampleArchitecture({ ...DEFAULT_SPACES.dsconv, blocks: [2, 4] }, WINDOW, BINARY, new Random(1))).toThrow(
      'search space dsconv: blocks must be [min, max] with 3 ≤ min ≤ max, got [2, 4]',
    );
  });
});

describe('heads and normalisation', () => {
  it('gives binary problems one sigmoid logit and others a softmax', () => {
    expect(headForClasses(2)).toEqual({ head: 'sigmoid', outputs: 1 });
    expect(headForClasses(5)).toEqual({ head: 'softmax', outputs: 5 });
    expect(() => headForClasses(1)).toThrow(/at least 2 classes/);
  });

  it('fills a kind with its defaults and sorts choices', () => {
    expect(normalizeSearchSpace('gru')).toEqual(DEFAULT_SPACES.gru);
    expect(normalizeSearchSpace('gru')).not.toBe(DEFAULT_SPACES.gru);
    expect(normalizeSearchSpace({ kind: 'cnn1d', filters: [32, 8], pools: ['avg', 'none'] })).toEqual({
      ...DEFAULT_SPACES.cnn1d,
      filters: [8, 32],
      pools: ['none', 'avg'],
    });
    expect(normalizeSearchSpace({ kind: 'gru', frontEnd: { strides: [4, 1] } })).toEqual({
      ...DEFAULT_SPACES.gru,
      frontEnd: { ...DEFAULT_SPACES.gru.frontEnd, strides: [1, 4] },
    });
    expect(normalizeSearchSpace({ kind: 'dsconv', channels: [512, 32], downsampleBlocks: [3, 0] })).toEqual({
      ...DEFAULT_SPACES.dsconv,
      channels: [32, 512],
      downsampleBlocks: [3, 0],
    });
  });

  it('enumerates and samples the same for two spellings of one space', () => {
    const a = normalizeSearchSpace({ kind: 'cnn1d', filters: [32, 8], kernels: [5, 3] });
    const b = normalizeSearchSpace({ kind: 'cnn1d', filters: [8, 32], kernels: [3, 5] });
    expect(sampleArchitecture(a, WINDOW, BINARY, new Random(5))).toEqual(sampleArchitecture(b, WINDOW, BINARY, new Random(5)));
  });
});
