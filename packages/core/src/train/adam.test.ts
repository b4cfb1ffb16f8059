import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from './adam';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('Adam', () => {
  it('first step moves each parameter by ≈ lr against its gradient sign (bias correction)', () => {
    const p = Float64Array.of(1, -2, 0.5);
    const adam = new Adam([p], { learningRate: 0.01 });
    adam.step([Float64Array.of(0.3, -4, 0)]);
    // m = 0.1·g, v = 0.001·g², α = lr·√0.001/0.1 → Δ = lr·√0.001·g / (√0.001·|g| + ε)
    const root = Math.sqrt(0.001);
    expect(p[0]).toBeCloseTo(1 - (0.01 * root * 0.3) / (root * 0.3 + 1e-7), 15);
    expect(p[1]).toBeCloseTo(-2 + 0.01, 6);
    expect(p[2]).toBe(0.5);
    expect(adam.iterations).toBe(1);
  });

  it('matches tf.train.adam (Keras defaults) over several steps, with gradient scaling', () => {
    const start = [0.5, -1.25, 2, 0.125];
    const grads = [
      [0.2, -0.4, 1.5, 0],
      [0.1, 0.3, -0.5, 2],
      [-1, 0.25, 0.75, -0.5],
      [0.05, -0.05, 0.5, 0.5],
    ];
    const p = Float64Array.from(start);
    const ours = new Adam([p]);
    for (const g of grads) ours.step([Float64Array.from(g, (v) => v * 4)], 0.25);

    const v = tf.variable(tf.tensor1d(start));
    const theirs = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
    for (const g of grads) theirs.applyGradients([{ name: v.name, tensor: tf.tensor1d(g) }]);
    const reference = v.dataSync();
    for (let i = 0; i < start.length; i++) expect(Math.abs(p[i] - reference[i])).toBeLessThan(1e-6);
  });

  it('minimises a quadratic', () => {
    const p = Float64Array.of(3, -4);
    const adam = new Adam([p], { learningRate: 0.1 });
    for (let i = 0; i < 500; i++) adam.step([Float64Array.of(2 * p[0], 2 * p[1])]);
    expect(Math.hypot(p[0], p[1])).toBeLessThan(1e-2);
  });
});
