import { describe, expect, it } from 'vitest';
import { digamma, logGamma, trigamma } from './special-functions';

const EULER_GAMMA = 0.5772156649015329;

/** Relative error, or absolute where the value is 0. */
const close = (actual: number, expected: number, tolerance = 1e-13) =>
  expect(Math.abs(actual - expected) / Math.max(1, Math.abs(expected))).toBeLessThan(tolerance);

describe('logGamma', () => {
  it('equals log((n − 1)!) at the integers and ln √π at ½', () => {
    let factorial = 1;
    for (let n = 1; n <= 30; n++) {
      close(logGamma(n), Math.log(factorial));
      factorial *= n;
    }
    close(logGamma(0.5), 0.5 * Math.log(Math.PI));
    close(logGamma(1.5), Math.log(Math.sqrt(Math.PI) / 2));
  });

  it('is accurate near 0 (reflection) and for large x (Stirling)', () => {
    close(logGamma(1e-3), 6.907178885383853); // ln Γ(0.001), from the series −ln x − γx + …
    close(logGamma(0.1), 2.252712651734206);
    const x = 1e6;
    close(logGamma(x), (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x));
  });

  it('satisfies Γ(x + 1) = x Γ(x) across (0, 50)', () => {
    for (let x = 0.05; x < 50; x += 0.37) close(logGamma(x + 1), logGamma(x) + Math.log(x), 1e-12);
  });

  it('refuses x ≤ 0', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logGamma(-1)).toThrow(RangeError);
  });
});

describe('digamma and trigamma', () => {
  it('match their closed forms at 1, ½ and 2', () => {
    close(digamma(1), -EULER_GAMMA);
    close(digamma(0.5), -EULER_GAMMA - 2 * Math.LN2);
    close(digamma(2), 1 - EULER_GAMMA);
    close(trigamma(1), Math.PI ** 2 / 6);
    close(trigamma(0.5), Math.PI ** 2 / 2);
    close(trigamma(2), Math.PI ** 2 / 6 - 1);
  });

  it('satisfy their recurrences ψ(x + 1) = ψ(x) + 1/x and ψ₁(x + 1) = ψ₁(x) − 1/x²', () => {
    for (let x = 0.05; x < 60; x += 0.41) {
      close(digamma(x + 1), digamma(x) + 1 / x, 1e-12);
      close(trigamma(x + 1), trigamma(x) - 1 / (x * x), 1e-12);
    }
  });

  it('are the derivatives of logGamma and digamma (central differences)', () => {
    for (const x of [0.3, 1, 1.7, 3.2, 11.9, 12.1, 25, 400]) {
      const h = 1e-5 * Math.max(1, x);
      close(digamma(x), (logGamma(x + h) - logGamma(x - h)) / (2 * h), 1e-8);
      close(trigamma(x), (digamma(x + h) - digamma(x - h)) / (2 * h), 1e-8);
    }
  });
});
