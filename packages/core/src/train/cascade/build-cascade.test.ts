import { describe, expect, it } from 'vitest';
import { exitCosts, summarizeIR } from '../../model/cost';
import { referenceCnn } from '../../../testing/reference-models';
import { normalizeSearchSpace } from '../../model/space-defaults';
import { enumerateArchitectures } from '../../model/spaces';
import { buildCascadeIR, cascadeTaps, withHead } from './build-cascade';

const blocks = (n: number) => Array.from({ length: n }, (_, b) => ({ start: 2 * b, end: 2 * b + 2 }));

describe('where exits attach', () => {
  it('splits the blocks into shallow / medium / deep thirds, the remainder going deeper', () => {
    expect(cascadeTaps(blocks(3), 3, null, 9)).toEqual([1, 3]);
    expect(cascadeTaps(blocks(7), 3, null, 17)).toEqual([3, 7]); // groups of 2, 2, 3
    expect(cascadeTaps(blocks(5), 2, null, 13)).toEqual([3]); // groups of 2, 3
  });
  it('gives one exit per block when there are fewer blocks than exits, none for a single block', () => {
    expect(cascadeTaps(blocks(2), 3, null, 7)).toEqual([1]);
    expect(cascadeTaps(blocks(1), 3, null, 5)).toEqual([]);
    expect(cascadeTaps(blocks(4), 1, null, 11)).toEqual([]);
  });
  it('takes exit points named in the spec, and refuses impossible ones', () => {
    expect(cascadeTaps(blocks(3), 3, [0, 4], 9)).toEqual([0, 4]);
    expect(() => cascadeTaps(blocks(3), 3, [4, 2], 9)).toThrow(
      /train-cascade.exitAfter: exit taps must be ascending layer indices of the searched backbone in 0..7, got \[4,2\]/,
    );
    expect(() => cascadeTaps(blocks(3), 3, [8], 9)).toThrow(/in 0..7/);
  });
});

describe('the cascade built on a searched model', () => {
  it('keeps the searched layers, swaps the logits for evidence and adds an exit head per tap (UR2M dsconv thirds)', () => {
    const space = normalizeSearchSpace({ kind: 'dsconv', blocks: [6, 6], channels: [16], expansions: [2] });
    const [architecture] = enumerateArchitectures(space, { length: 128, channels: 3 }, { head: 'softmax', outputs: 4 }, 1);
    const taps = cascadeTaps(architecture.blocks, 3, null, architecture.ir.layers.length);
    expect(taps).toEqual([architecture.thirds!.shallow.tapLayer, architecture.thirds!.medium.tapLayer]);
    const ir = buildCascadeIR(architecture.ir, taps, 3);
    expect(ir.layers.slice(0, -1)).toEqual(architecture.ir.layers.slice(0, -1));
    expect(ir.layers[ir.layers.length - 1]).toEqual({ kind: 'dense', units: 6, activation: 'relu' });
    expect(ir.exits!.map((e) => e.after)).toEqual(taps);
    expect(summarizeIR(ir)).toMatch(/\[exits @6:gap-dense6 @12:gap-dense6\]$/);
    const costs = exitCosts(ir);
    expect(costs[0].macs).toBeLessThan(costs[1].macs);
    expect(costs[1].macs).toBeLessThan(costs[2].macs);
  });

  it('with exp evidence, ends the backbone and every exit in a linear evidence layer and marks the IR', () => {
    const ir = buildCascadeIR(referenceCnn(1), [1], 1, 'exp');
    expect(ir.evidence).toBe('exp');
    expect(ir.layers[ir.layers.length - 1]).toEqual({ kind: 'dense', units: 2, activation: 'none' });
    expect(ir.exits![0].layers.at(-1)).toEqual({ kind: 'dense', units: 2, activation: 'none' });
    expect('evidence' in buildCascadeIR(referenceCnn(1), [1], 1)).toBe(false);
  });

  it('gives the softmax baseline the same architecture with E + 1 logits', () => {
    const ir = withHead(referenceCnn(1), 'softmax', 1);
    expect(ir.head).toBe('softmax');
    expect(ir.layers[ir.layers.length - 1]).toEqual({ kind: 'dense', units: 2, activation: 'none' });
  });
});
