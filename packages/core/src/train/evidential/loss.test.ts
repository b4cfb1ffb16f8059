import { describe, expect, it } from 'vitest';
import { betaEntropy, betaEntropyGradient, betaOpinion } from './beta';
import { annealedLambda, evidentialLoss } from './loss';

describe('the Beta opinion of two evidence values', () => {
  it('is uniform and fully uncertain without evidence', () => {
    expect(betaOpinion(0, 0)).toEqual({ alpha: 1, beta: 1, p: 0.5, u: 1 });
  });
  it('gives p = α/(α+β) and u = 2/(α+β)', () => {
    expect(betaOpinion(8, 0)).toEqual({ alpha: 9, beta: 1, p: 0.9, u: 0.2 });
    expect(betaOpinion(1, 3)).toEqual({ alpha: 2, beta: 4, p: 2 / 6, u: 2 / 6 });
  });
});

describe('the Beta entropy', () => {
  it('is 0 for Beta(1, 1) and matches closed forms', () => {
    expect(betaEntropy(1, 1)).toBeCloseTo(0, 14);
    // Beta(2, 1) has density 2x: H = −∫ 2x ln(2x) dx = ½ − ln 2.
    expect(betaEntropy(2, 1)).toBeCloseTo(0.5 - Math.LN2, 13);
    // Beta(2, 2) = 6x(1 − x): H = 5/3 − ln 6.
    expect(betaEntropy(2, 2)).toBeCloseTo(5 / 3 - Math.log(6), 13);
  });
  it('falls as evidence grows (a sharper Beta)', () => {
    expect(betaEntropy(10, 1)).toBeLessThan(betaEntropy(3, 1));
    expect(betaEntropy(30, 30)).toBeLessThan(betaEntropy(5, 5));
  });
  it('has the gradient of its central differences', () => {
    for (const [a, b] of [
      [1, 1],
      [1.5, 3],
      [7, 2],
      [40, 0.9 + 1],
    ]) {
      const h = 1e-6;
      const [ga, gb] = betaEntropyGradient(a, b);
      expect(ga).toBeCloseTo((betaEntropy(a + h, b) - betaEntropy(a - h, b)) / (2 * h), 7);
      expect(gb).toBeCloseTo((betaEntropy(a, b + h) - betaEntropy(a, b - h)) / (2 * h), 7);
    }
  });
});

describe('the evidential loss', () => {
  const unit: [number, number][] = [[1, 1]];

  it('is BCE on the Beta mean when λ = 0 (hand values)', () => {
    const grad = new Float64Array(2);
    // e⁺ = 3, e⁻ = 0 → α = 4, β = 1, p = 0.8: for y = 1 the loss is −ln 0.8, for y = 0 it is −ln 0.2.
    expect(evidentialLoss([3, 0], [1], unit, 0, grad)).toBeCloseTo(-Math.log(0.8), 14);
    expect([...grad]).toEqual([1 / 5 - 1 / 4, 1 / 5]);
    expect(evidentialLoss([3, 0], [0], unit, 0, grad)).toBeCloseTo(-Math.log(0.2), 14);
  });

  it('adds −λ·H and weights both terms by the class weight of the target', () => {
    const grad = new Float64Array(2);
    const loss = evidentialLoss([3, 0], [1], [[0.5, 4]], 0.1, grad);
    expect(loss).toBeCloseTo(4 * (-Math.log(0.8) - 0.1 * betaEntropy(4, 1)), 13);
  });

  it('sums over events, each with its own target and weights', () => {
    const grad = new Float64Array(4);
    const both = evidentialLoss(
      [3, 0, 0, 2],
      [1, 0],
      [
        [1, 2],
        [3, 1],
      ],
      0,
      grad,
    );
    expect(both).toBeCloseTo(2 * -Math.log(0.8) + 3 * -Math.log(3 / 4), 13);
  });

  it('has the gradient of its central differences (λ > 0, several events)', () => {
    const evidence = [0.3, 2.5, 7.1, 0.01, 0, 0, 12, 11];
    const targets = [0, 1, 1, 0];
    const weights: [number, number][] = [
      [0.6, 3],
      [1, 1],
      [0.7, 1.8],
      [2, 0.5],
    ];
    const grad = new Float64Array(8);
    evidentialLoss(evidence, targets, weights, 0.37, grad);
    const scratch = new Float64Array(8);
    for (let i = 0; i < evidence.length; i++) {
      const h = 1e-6;
      const up = [...evidence];
      const down = [...evidence];
      up[i] += h;
      down[i] = Math.max(0, down[i] - h);
      const numeric = (evidentialLoss(up, targets, weights, 0.37, scratch) - evidentialLoss(down, targets, weights, 0.37, scratch)) / (up[i] - down[i]);
      // One-sided at e = 0 (evidence is never negative), so a first-order error there.
      const tolerance = evidence[i] === 0 ? 1e-5 : 1e-7;
      expect(Math.abs(grad[i] - numeric)).toBeLessThan(tolerance * Math.max(1, Math.abs(numeric)));
    }
  });

  it('misleading: the KL term leaves the evidence for the true outcome alone (Beta(1, β) for y = 1, Beta(α, 1) for y = 0)', () => {
    const grad = new Float64Array(2);
    const bce = new Float64Array(2);
    const loss = evidentialLoss([3, 2], [1], unit, 0.1, grad, 'misleading');
    expect(loss).toBeCloseTo(-Math.log(4 / 7) - 0.1 * betaEntropy(1, 3), 13);
    evidentialLoss([3, 2], [1], unit, 0, bce);
    expect(grad[0]).toBe(bce[0]);
    expect(grad[1]).toBeGreaterThan(bce[1]);
    // Piling up evidence for the truth costs nothing extra under 'misleading'; under 'all' it is pulled back.
    const extra = (mode: 'misleading' | 'all') => evidentialLoss([50, 0], [0], unit, 0.1, grad, mode) - evidentialLoss([50, 0], [0], unit, 0, grad);
    expect(evidentialLoss([0, 50], [0], unit, 0.1, grad, 'misleading')).toBeCloseTo(evidentialLoss([0, 50], [0], unit, 0, grad), 14);
    expect(evidentialLoss([0, 50], [0], unit, 0.1, grad, 'all')).toBeGreaterThan(evidentialLoss([0, 50], [0], unit, 0, grad));
    expect(extra('misleading')).toBeCloseTo(extra('all'), 14);
  });

  it('misleading: has the gradient of its central differences', () => {
    const evidence = [0.3, 2.5, 7.1, 0.4, 1.5, 9];
    const targets = [0, 1, 1];
    const weights: [number, number][] = [
      [0.6, 3],
      [1, 1],
      [0.7, 1.8],
    ];
    const grad = new Float64Array(6);
    evidentialLoss(evidence, targets, weights, 0.37, grad, 'misleading');
    const scratch = new Float64Array(6);
    for (let i = 0; i < evidence.length; i++) {
      const h = 1e-6;
      const up = [...evidence];
      const down = [...evidence];
      up[i] += h;
      down[i] -= h;
      const numeric =
        (evidentialLoss(up, targets, weights, 0.37, scratch, 'misleading') - evidentialLoss(down, targets, weights, 0.37, scratch, 'misleading')) / (2 * h);
      expect(Math.abs(grad[i] - numeric)).toBeLessThan(1e-7 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('rewards the right evidence: more evidence for the true outcome lowers the loss', () => {
    const grad = new Float64Array(2);
    expect(evidentialLoss([5, 0], [1], unit, 0.1, grad)).toBeLessThan(evidentialLoss([1, 0], [1], unit, 0.1, grad));
    expect(evidentialLoss([0, 5], [1], unit, 0.1, grad)).toBeGreaterThan(evidentialLoss([0, 0], [1], unit, 0.1, grad));
  });
});

describe('λ annealing', () => {
  it('ramps linearly to λ over annealEpochs, then stays', () => {
    [0.02, 0.04, 0.1, 0.2, 0.2].forEach((expected, i) => expect(annealedLambda(0.2, [1, 2, 5, 10, 30][i], 10)).toBeCloseTo(expected, 15));
    expect(annealedLambda(0.2, 1, 0)).toBe(0.2);
  });
});
