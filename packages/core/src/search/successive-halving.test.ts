import { describe, expect, it } from 'vitest';
import { halvingSchedule, promote } from './successive-halving';

describe('successive halving', () => {
  it('20 candidates, η = 3, 10 epochs: 20 → 6 → 2 candidates with growing budgets, the last rung at full budget', () => {
    const rungs = halvingSchedule(20, 10, 3);
    expect(rungs.map((r) => r.candidates)).toEqual([20, 6, 2]);
    expect(rungs.map((r) => r.epochs)).toEqual([1, 3, 10]);
    expect(rungs.at(-1)!.trainFraction).toBe(1);
    expect(rungs[0].trainFraction).toBeCloseTo(1 / 3, 12);
  });

  it('a single candidate is trained once at full budget', () => {
    expect(halvingSchedule(1, 8)).toEqual([{ index: 0, epochs: 8, trainFraction: 1, candidates: 1 }]);
  });

  it('promotes the best ⌊n/η⌋ by score, ties by id', () => {
    const results = [
      { id: 'b', score: 0.5 },
      { id: 'a', score: 0.5 },
      { id: 'c', score: 0.9 },
      { id: 'd', score: 0.1 },
      { id: 'e', score: 0.2 },
      { id: 'f', score: 0.3 },
    ];
    expect(promote(results, 3).map((r) => r.id)).toEqual(['c', 'a']);
    expect(promote(results.slice(0, 2), 3).map((r) => r.id)).toEqual(['a']);
  });

  it('breaks score ties by the lower tie-break value (validation loss) before the id', () => {
    const results = [
      { id: 'a', score: 0, tieBreak: 0.9 },
      { id: 'b', score: 0, tieBreak: 0.4 },
      { id: 'c', score: 0, tieBreak: 0.7 },
    ];
    expect(promote(results, 3).map((r) => r.id)).toEqual(['b']);
  });
});
