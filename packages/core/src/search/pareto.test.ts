import { describe, expect, it } from 'vitest';
import { paretoFront } from './pareto';

describe('Pareto front of score vs cost', () => {
  it('keeps exactly the candidates that no other one dominates, cheapest first', () => {
    const points = [
      { id: 'a', score: 0.6, cost: 10 },
      { id: 'b', score: 0.8, cost: 30 },
      { id: 'c', score: 0.7, cost: 40 }, // dominated by b
      { id: 'd', score: 0.9, cost: 50 },
      { id: 'e', score: 0.6, cost: 12 }, // dominated by a
      { id: 'f', score: 0.9, cost: 60 }, // same score, more cost
    ];
    expect(paretoFront(points).map((p) => p.id)).toEqual(['a', 'b', 'd']);
  });

  it('agrees with the brute-force definition on random points', () => {
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const points = Array.from({ length: 300 }, (_, i) => ({ id: i, score: Math.round(next() * 50) / 50, cost: Math.round(next() * 100) }));
    const dominated = (p: (typeof points)[number]) => points.some((q) => q.score >= p.score && q.cost <= p.cost && (q.score > p.score || q.cost < p.cost));
    const expected = points.filter((p) => !dominated(p));
    const front = paretoFront(points);
    // ties in both score and cost: the front keeps one representative
    expect(new Set(front.map((p) => `${p.score}/${p.cost}`))).toEqual(new Set(expected.map((p) => `${p.score}/${p.cost}`)));
  });
});
