import { describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogit, headLoss, predictedClass, sigmoid, softmaxCrossEntropy } from './losses';

function finiteDifference(f: (x: Float64Array) => number, x: Float64Array, i: number, h = 1e-6): number {
  const plus = Float64Array.from(x);
  const minus = Float64Array.from(x);
  plus[i] += h;
  minus[i] -= h;
  return (f(plus) - f(minus)) / (2 * h);
}

describe('weighted binary cross-entropy on a logit', () => {
  it('matches hand values, including extreme logits without overflow', () => {
    expect(binaryCrossEntropyWithLogit(0, 1)).toBeCloseTo(Math.LN2, 15);
    expect(binaryCrossEntropyWithLogit(0, 0)).toBeCloseTo(Math.LN2, 15);
    expect(binaryCrossEntropyWithLogit(2, 1)).toBeCloseTo(Math.log(1 + Math.exp(-2)), 15);
    expect(binaryCrossEntropyWithLogit(-3, 0)).toBeCloseTo(Math.log(1 + Math.exp(-3)), 15);
    expect(binaryCrossEntropyWithLogit(2, 0)).toBeCloseTo(-Math.log(1 - sigmoid(2)), 14);
    expect(binaryCrossEntropyWithLogit(1000, 0)).toBe(1000);
    expect(binaryCrossEntropyWithLogit(-1000, 1)).toBe(1000);
    expect(binaryCrossEntropyWithLogit(1000, 1)).toBe(0);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
  });

  it('scales loss and gradient by the class weight; gradient w·(σ(x) − y) agrees with finite differences', () => {
    const grad = new Float64Array(1);
    for (const [x, y, w] of [
      [0.3, 1, 5.5],
      [-1.7, 0, 0.55],
      [4, 0, 1],
      [-2.2, 1, 3],
    ]) {
      const loss = headLoss('sigmoid', Float64Array.of(x), y, w, grad);
      expect(loss).toBeCloseTo(w * binaryCrossEntropyWithLogit(x, y), 15);
      expect(grad[0]).toBeCloseTo(w * (sigmoid(x) - y), 15);
      const numeric = finiteDifference((v) => headLoss('sigmoid', v, y, w, new Float64Array(1)), Float64Array.of(x), 0);
      expect(Math.abs(grad[0] - numeric)).toBeLessThan(1e-8);
    }
  });

  it('class weights n/(k·n_i) make both classes contribute equally in total', () => {
    const counts = [90, 10];
    const weights = counts.map((c) => 100 / (2 * c));
    expect(weights[0] * counts[0]).toBeCloseTo(weights[1] * counts[1], 12);
  });
});

describe('weighted softmax cross-entropy', () => {
  it('matches hand values and is stable for large logits', () => {
    const grad = new Float64Array(3);
    expect(softmaxCrossEntropy(Float64Array.of(0, 0, 0), 1, 1, grad)).toBeCloseTo(Math.log(3), 15);
    expect(Array.from(grad)).toEqual([1 / 3, 1 / 3 - 1, 1 / 3].map((v) => expect.closeTo(v, 15)));
    expect(softmaxCrossEntropy(Float64Array.of(1000, 0, -1000), 0, 2, grad)).toBe(0);
    expect(softmaxCrossEntropy(Float64Array.of(1000, 0, -1000), 1, 2, grad)).toBe(2000);
    expect(grad[1]).toBe(-2);
  });

  it('gradient agrees with finite differences', () => {
    const logits = Float64Array.of(0.4, -1.3, 2.1, 0.05);
    const grad = new Float64Array(4);
    headLoss('softmax', logits, 2, 1.7, grad);
    for (let i = 0; i < 4; i++) {
      const numeric = finiteDifference((v) => headLoss('softmax', v, 2, 1.7, new Float64Array(4)), logits, i);
      expect(Math.abs(grad[i] - numeric)).toBeLessThan(1e-8);
    }
  });

  it('predicts σ(x) > 0.5 for sigmoid and the first argmax for softmax', () => {
    expect(predictedClass('sigmoid', Float64Array.of(0.01))).toBe(1);
    expect(predictedClass('sigmoid', Float64Array.of(0))).toBe(0);
    expect(predictedClass('softmax', Float64Array.of(1, 3, 3))).toBe(1);
  });
});
