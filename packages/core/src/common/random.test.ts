import { describe, expect, it } from 'vitest';
import { Random } from './random';

describe('seeded random numbers', () => {
  it('repeat exactly for a seed and differ between seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 100 }, () => a.uint32());
    expect(Array.from({ length: 100 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.uint32())).not.toEqual(seqA);
  });

  it('are close to uniform in [0, 1)', () => {
    const random = new Random(7);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      bins[Math.floor(x * 10)]++;
    }
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('shuffle is a permutation and derived streams are independent of each other', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect(new Random(1).shuffle([...items]).sort((x, y) => x - y)).toEqual(items);
    expect(Random.derive(5, 0).uint32()).not.toBe(Random.derive(5, 1).uint32());
    expect(Random.derive(5, 3).uint32()).toBe(Random.derive(5, 3).uint32());
  });
});
