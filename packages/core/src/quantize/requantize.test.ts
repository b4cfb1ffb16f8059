import { describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import {
  INT32_MAX,
  INT32_MIN,
  SHIFT_MAX,
  SHIFT_MIN,
  frexp,
  multiplierToScale,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  requantizeToInt8,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from './requantize';

/** TFLite/gemmlowp's integer code transcribed to BigInt: the reference the Number implementation must equal. */
const reference = {
  highMul(a: number, b: number): number {
    if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
    const ab = BigInt(a) * BigInt(b);
    const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
    return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C's
  },
  divideByPOT(x: number, exponent: number): number {
    const e = BigInt(exponent);
    const big = BigInt(x);
    const mask = (1n << e) - 1n;
    const remainder = big & mask;
    const threshold = (mask >> 1n) + (big < 0n ? 1n : 0n);
    return Number((big >> e) + (remainder > threshold ? 1n : 0n));
  },
  multiply(x: number, multiplier: number, shift: number): number {
    const shifted = BigInt(x) << BigInt(Math.max(shift, 0));
    const saturated = shifted > BigInt(INT32_MAX) ? INT32_MAX : shifted < BigInt(INT32_MIN) ? INT32_MIN : Number(shifted);
    return reference.divideByPOT(reference.highMul(saturated, multiplier), Math.max(-shift, 0));
  },
};

/** int32 values that exercise every region: uniform, near the extremes, near zero, powers of two and their neighbours. */
function int32Sampler(random: Random): () => number {
  const specials = [INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, 1, -1, 1 << 30, -(1 << 30), (1 << 30) - 1, 32768, -32768, 65535, -65536];
  return () => {
    const pick = random.int(6);
    if (pick === 0) return random.pick(specials);
    if (pick === 1) return random.int(2001) - 1000;
    if (pick === 2) {
      const power = 2 ** random.int(32);
      return Math.max(INT32_MIN, Math.min(INT32_MAX, (random.int(2) ? power : -power) + random.int(3) - 1));
    }
    return random.uint32() | 0;
  };
}

const multiplierSample = (random: Random) => (random.int(8) === 0 ? random.pick([0, 1 << 30, INT32_MAX]) : (1 << 30) + random.int(1 << 30));

describe('saturatingRoundingDoublingHighMul', () => {
  it('equals the BigInt reference on 200,000 random and edge pairs', () => {
    const random = new Random(1);
    const next = int32Sampler(random);
    for (let i = 0; i < 200_000; i++) {
      const a = next();
      const b = next();
      const got = saturatingRoundingDoublingHighMul(a, b);
      if (!Object.is(got, reference.highMul(a, b))) expect({ a, b, got }).toEqual({ a, b, got: reference.highMul(a, b) });
    }
  });

  it('saturates only INT32_MIN · INT32_MIN and rounds ties up (toward +∞: the nudge is 2^30 or 1 − 2^30)', () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(INT32_MAX - 1);
    // 2·a·b / 2^32 = a·b / 2^31; with a·b = ±2^30 that is exactly ±0.5: 0.5 rounds to 1, −0.5 to 0, −1.5 to −1.
    expect(saturatingRoundingDoublingHighMul(1 << 15, 1 << 15)).toBe(1);
    expect(saturatingRoundingDoublingHighMul(-(1 << 15), 1 << 15)).toBe(0);
    expect(saturatingRoundingDoublingHighMul(-3 << 15, 1 << 15)).toBe(-1);
    expect(saturatingRoundingDoublingHighMul(-(1 << 15) - 1, 1 << 15)).toBe(-1); // just beyond the tie
    expect(saturatingRoundingDoublingHighMul((1 << 15) - 1, 1 << 15)).toBe(0); // just below the tie
    expect(saturatingRoundingDoublingHighMul(0, INT32_MIN)).toBe(0);
  });
});

describe('roundingDivideByPOT', () => {
  it('equals the BigInt reference for every exponent 0..31', () => {
    const random = new Random(2);
    const next = int32Sampler(random);
    for (let exponent = 0; exponent <= 31; exponent++) {
      for (let i = 0; i < 4000; i++) {
        const x = next();
        const got = roundingDivideByPOT(x, exponent);
        if (!Object.is(got, reference.divideByPOT(x, exponent))) expect({ x, exponent, got }).toEqual({ x, exponent, got: reference.divideByPOT(x, exponent) });
      }
    }
  });

  it('rounds exact halves away from zero, both signs', () => {
    expect([5, -5, 6, -6, 7, -7].map((x) => roundingDivideByPOT(x, 1))).toEqual([3, -3, 3, -3, 4, -4]);
    expect([12, -12, 11, -11, 13, -13].map((x) => roundingDivideByPOT(x, 3))).toEqual([2, -2, 1, -1, 2, -2]);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(-(1 << 30), 31)).toBe(-1); // −0.5 → −1
    expect(roundingDivideByPOT(1 << 30, 31)).toBe(1); // 0.5 → 1
    expect(roundingDivideByPOT((1 << 30) - 1, 31)).toBe(0);
  });
});

describe('multiplyByQuantizedMultiplier', () => {
  it('equals the BigInt reference over every shift in [SHIFT_MIN, SHIFT_MAX], saturating left shifts included', () => {
    const random = new Random(3);
    const next = int32Sampler(random);
    let cases = 0;
    for (let shift = SHIFT_MIN; shift <= SHIFT_MAX; shift++) {
      for (let i = 0; i < 3000; i++) {
        const x = next();
        const multiplier = multiplierSample(random);
        const got = multiplyByQuantizedMultiplier(x, multiplier, shift);
        const want = reference.multiply(x, multiplier, shift);
        if (!Object.is(got, want)) expect({ x, multiplier, shift, got }).toEqual({ x, multiplier, shift, got: want });
        cases++;
      }
    }
    expect(cases).toBe(62 * 3000);
  });

  it('is within one of the exact product x·m·2^(shift−31) when nothing saturates', () => {
    const random = new Random(4);
    for (let i = 0; i < 20_000; i++) {
      const x = (random.uint32() | 0) >> random.int(31);
      const multiplier = (1 << 30) + random.int(1 << 30);
      const shift = -random.int(32);
      const exact = (x * multiplier) / 2 ** (31 - shift); // exact enough: the check allows a whole unit
      expect(Math.abs(multiplyByQuantizedMultiplier(x, multiplier, shift) - exact)).toBeLessThanOrEqual(1);
    }
  });

  it('hand values: ties round up in the high multiply, away from zero in the shift; ×1 is the identity; left shifts saturate', () => {
    // ×0.5 as {2^30, 0}: only the high multiply rounds, ties toward +∞.
    expect([3, -3, 4, -4, 1, -1].map((x) => multiplyByQuantizedMultiplier(x, 1 << 30, 0))).toEqual([2, -1, 2, -2, 1, 0]);
    // ×0.25 as {2^30, −1}: the high multiply is exact (x even), the divide by 2 rounds ties away from zero.
    expect([6, -6, 2, -2, 4, -4].map((x) => multiplyByQuantizedMultiplier(x, 1 << 30, -1))).toEqual([2, -2, 1, -1, 1, -1]);
    // ×1 as {2^30, 1}: the identity while the left shift fits int32, saturated beyond.
    expect([(1 << 30) - 1, -(1 << 30), 12345, -7].map((x) => multiplyByQuantizedMultiplier(x, 1 << 30, 1))).toEqual([(1 << 30) - 1, -(1 << 30), 12345, -7]);
    expect([INT32_MAX, INT32_MIN].map((x) => multiplyByQuantizedMultiplier(x, 1 << 30, 1))).toEqual([1 << 30, -(1 << 30)]);
    // ×2^11 as {2^30, 12}: 2^20 · 2^12 saturates to INT32_MAX before the ×0.5 of the multiplier.
    expect(multiplyByQuantizedMultiplier(1 << 20, 1 << 30, 12)).toBe(1 << 30);
    expect(multiplyByQuantizedMultiplier(-(1 << 20), 1 << 30, 12)).toBe(-(1 << 30));
    expect(multiplyByQuantizedMultiplier((1 << 19) - 1, 1 << 30, 12)).toBe(((1 << 19) - 1) * 2048);
    expect(multiplyByQuantizedMultiplier(123456, 0, 0)).toBe(0);
  });
});

describe('requantizeToInt8', () => {
  it('adds the zero point and clamps, even for saturated accumulators', () => {
    expect(requantizeToInt8(INT32_MAX, INT32_MAX, 30, 127, -128, 127)).toBe(127);
    expect(requantizeToInt8(INT32_MIN, INT32_MAX, 30, -128, -128, 127)).toBe(-128);
    expect(requantizeToInt8(100, 1 << 30, 0, -10, -128, 127)).toBe(40); // 100·0.5 − 10
    expect(requantizeToInt8(-100, 1 << 30, 0, -10, -10, 20)).toBe(-10); // ReLU clamp at the zero point
    expect(requantizeToInt8(100, 1 << 30, 0, -10, -128, 20)).toBe(20);
  });
});

describe('quantizeMultiplier (TFLite QuantizeMultiplier)', () => {
  it('represents random scales to within half a unit of the 31-bit multiplier', () => {
    const random = new Random(5);
    for (let i = 0; i < 20_000; i++) {
      const scale = 2 ** (random.next() * 60 - 31) * (1 + random.next());
      if (scale >= 2 ** 30) continue;
      const q = quantizeMultiplier(scale);
      expect(q.multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(q.multiplier).toBeLessThan(2 ** 31);
      expect(Number.isInteger(q.multiplier)).toBe(true);
      expect(q.shift).toBeGreaterThanOrEqual(SHIFT_MIN);
      expect(q.shift).toBeLessThanOrEqual(SHIFT_MAX);
      // The exact ideal multiplier scale·2^(31 − shift) is within 0.5 of the stored one.
      expect(Math.abs(scale * 2 ** (31 - q.shift) - q.multiplier)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(multiplierToScale(q) / scale - 1)).toBeLessThanOrEqual(2 ** -31);
    }
  });

  it('handles the edge cases as TFLite does', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 3 * 2 ** 29, shift: 0 });
    // Rounds up to 2^31: halved, shift + 1.
    expect(quantizeMultiplier(1 - 2 ** -33)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.5 - 2 ** -34)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    // Ties of the 31-bit rounding go up (away from zero): 0.5 + 2^−32 is 2^30 + 0.5 units.
    expect(quantizeMultiplier(0.5 + 2 ** -32)).toEqual({ multiplier: 2 ** 30 + 1, shift: 0 });
    // Tiny scales: 2^−32 still has shift −31; below, flushed to zero, even if rounding would bring it back up.
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -32 * (1 - 2 ** -40))).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(Number.MIN_VALUE)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** 30 - 1)).toEqual({ multiplier: 2 ** 31 - 2, shift: 30 });
    expect(() => quantizeMultiplier(2 ** 30)).toThrow(/shift of 31/);
    expect(() => quantizeMultiplier(-0.1)).toThrow(RangeError);
    expect(() => quantizeMultiplier(Number.NaN)).toThrow(RangeError);
  });

  it('frexp reads the exponent from the bits, subnormals included', () => {
    expect(frexp(1)).toEqual({ fraction: 0.5, exponent: 1 });
    expect(frexp(0.75)).toEqual({ fraction: 0.75, exponent: 0 });
    expect(frexp(Number.MIN_VALUE)).toEqual({ fraction: 0.5, exponent: -1073 });
    expect(frexp(Number.MAX_VALUE).exponent).toBe(1024);
  });
});
