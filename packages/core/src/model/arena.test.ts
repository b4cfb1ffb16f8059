import { describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import { ArenaPlan, TensorLifetime, arenaPlanProblems, planArena } from './arena';
import { arenaTensors, planModelArena } from './arena-tensors';
import type { Layer, ModelIR } from './ir';
import { lowerToOps } from './ops';
import { DEFAULT_SPACES } from './space-defaults';
import type { SearchSpace } from './space-types';
import { headForClasses, sampleArchitecture } from './spaces';

const t = (id: string, bytes: number, firstStep: number, lastStep: number): TensorLifetime => ({ id, bytes, firstStep, lastStep });

/** Arena-independent check, written separately from arenaPlanProblems so the two can catch each other. */
function assertSound(plan: ArenaPlan): void {
  for (const a of plan.tensors) {
    expect(a.offset % 16).toBe(0);
    expect(a.alignedBytes).toBe(Math.ceil(a.bytes / 16) * 16);
    expect(a.offset).toBeGreaterThanOrEqual(0);
    expect(a.offset + a.alignedBytes).toBeLessThanOrEqual(plan.arenaBytes);
    for (const b of plan.tensors) {
      if (a === b) continue;
      const together = a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
      const apart = a.offset + a.alignedBytes <= b.offset || b.offset + b.alignedBytes <= a.offset;
      if (together) expect(apart, `${a.id} and ${b.id}`).toBe(true);
    }
  }
  expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.lowerBoundBytes);
  expect(arenaPlanProblems(plan)).toEqual([]);
}

describe('the arena planner', () => {
  it('places a 3-layer CNN by hand: conv 3→5 k3 valid on 10 samples, maxpool 2, dense 1', () => {
    const ir: ModelIR = {
      input: { length: 10, channels: 3 },
      layers: [
        { kind: 'conv1d', filters: 5, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
        { kind: 'maxpool1d', pool: 2, stride: 2 },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      head: 'sigmoid',
    };
    // act1 [8, 5] = 40 B → 48, alive at steps 0–1; act2 [4, 5] = 20 B → 32, steps 1–2; act3 [1, 1] = 1 B → 16, step 2.
    // Largest first: act1 at 0; act2 collides with it → 48; act3 only meets act2 → 0. Arena 80 = act1 + act2.
    const plan = planModelArena(ir);
    expect(plan.tensors.map((x) => [x.id, x.bytes, x.alignedBytes, x.firstStep, x.lastStep, x.offset])).toEqual([
      ['act1', 40, 48, 0, 1, 0],
      ['act2', 20, 32, 1, 2, 48],
      ['act3', 1, 16, 2, 2, 0],
    ]);
    expect(plan.arenaBytes).toBe(80);
    expect(plan.lowerBoundBytes).toBe(80);
    assertSound(plan);
  });

  it('reuses memory of dead tensors, largest first', () => {
    const plan = planArena([t('a', 100, 0, 1), t('b', 1000, 1, 2), t('c', 100, 2, 3), t('d', 1000, 3, 4)]);
    // b at 0, d at 0 (never alive with b), a and c above b (each meets b or d at 1008 − … aligned 1008).
    expect(plan.tensors.map((x) => x.offset)).toEqual([1008, 0, 1008, 0]);
    expect(plan.arenaBytes).toBe(1120);
    expect(plan.lowerBoundBytes).toBe(1120);
    assertSound(plan);
  });

  it('keeps the better of its two orders', () => {
    // Largest first: c 0, d 32, b 0, then a meets d and b → 64: arena 80. By first use: c 0, d 32, a 0 (c is dead
    // by step 2), b 16: arena 64, the bound.
    const plan = planArena([t('a', 16, 2, 3), t('b', 32, 3, 4), t('c', 32, 0, 1), t('d', 32, 1, 2)]);
    expect(plan.order).toBe('first-use');
    expect(plan.tensors.map((x) => x.offset)).toEqual([0, 16, 0, 32]);
    expect(plan.arenaBytes).toBe(64);
    expect(plan.lowerBoundBytes).toBe(64);
    assertSound(plan);
    expect(planArena([])).toMatchObject({ tensors: [], arenaBytes: 0, lowerBoundBytes: 0 });
  });

  it('rejects malformed tensors', () => {
    expect(() => planArena([t('a', 0, 0, 1)])).toThrow(/bytes must be a positive integer/);
    expect(() => planArena([t('a', 8, 2, 1)])).toThrow(/not a step interval/);
    expect(() => planArena([t('a', 8, 0, 1), t('a', 8, 0, 1)])).toThrow(/listed twice/);
  });

  it('finds overlaps in a broken plan', () => {
    const plan = planArena([t('a', 16, 0, 1), t('b', 16, 1, 2)]);
    const broken = { ...plan, tensors: plan.tensors.map((x) => ({ ...x, offset: 0 })) };
    expect(arenaPlanProblems(broken)).toContain('a and b are alive together and overlap in memory');
  });
});

/** Random IRs from all three spaces, some with batch-norm and standalone activations mixed in. */
function randomIR(seed: number): ModelIR {
  const random = new Random(seed);
  const kinds: SearchSpace['kind'][] = ['cnn1d', 'gru', 'dsconv'];
  const space = DEFAULT_SPACES[kinds[seed % 3]];
  const input = { length: 8 + random.int(200), channels: 1 + random.int(9) };
  const ir = sampleArchitecture(space, input, headForClasses(2 + random.int(4)), random).ir;
  if (random.next() < 0.3) ir.layers = withBatchNorm(ir.layers);
  return ir;
}

/** conv(relu) → conv(none), batchnorm, relu: the same network as trained with batch-norm. */
function withBatchNorm(layers: Layer[]): Layer[] {
  return layers.flatMap((layer): Layer[] =>
    (layer.kind === 'conv1d' || layer.kind === 'pointwise1d') && layer.activation !== 'none'
      ? [{ ...layer, activation: 'none' }, { kind: 'batchnorm' }, { kind: layer.activation }]
      : [layer],
  );
}

describe('the arena planner on random models (property)', () => {
  const seeds = Array.from({ length: 240 }, (_, i) => i * 7919 + 1);

  it('never lets live tensors overlap, keeps every tensor inside, stays ≥ the bound, and is deterministic', () => {
    let tight = 0;
    for (const seed of seeds) {
      const ir = randomIR(seed);
      const plan = planModelArena(ir);
      assertSound(plan);
      expect(planModelArena(randomIR(seed))).toEqual(plan);
      // Every op's output tensor is in the plan, with scratch for GRUs.
      const ops = lowerToOps(ir);
      expect(plan.tensors.filter((x) => x.kind === 'activation')).toHaveLength(ops.length);
      expect(plan.tensors.filter((x) => x.kind === 'scratch')).toHaveLength(2 * ops.filter((op) => op.kind === 'gru').length);
      if (plan.arenaBytes === plan.lowerBoundBytes) tight++;
    }
    // Sequential networks are easy: the planner should meet the bound on nearly all of them.
    expect(tight / seeds.length).toBeGreaterThan(0.9);
  });

  it('gives the same plan for the same tensors in the same order', () => {
    const tensors = arenaTensors(lowerToOps(randomIR(99)));
    expect(planArena(tensors)).toEqual(planArena(structuredClone(tensors)));
  });
});
