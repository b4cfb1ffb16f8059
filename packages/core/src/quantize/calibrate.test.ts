import { describe, expect, it } from 'vitest';
import { calibrateRanges } from './calibrate';

describe('calibrateRanges', () => {
  const windows = Array.from({ length: 10 }, (_, w) => Float64Array.from({ length: 1000 }, (_, i) => (w * 1000 + i) / 10000)); // 0 .. 0.9999 uniformly
  const identity = (window: ArrayLike<number>) => [Float64Array.from(window), Float64Array.from(window, (v) => -2 * v)];

  it('min/max over every window and element, per tensor', () => {
    expect(calibrateRanges(windows, identity)).toEqual([
      { min: 0, max: 0.9999 },
      { min: -1.9998, max: -0 },
    ]);
  });

  it('a percentile clips both ends to the histogram quantiles', () => {
    const [first, second] = calibrateRanges(windows, identity, { percentile: 99 });
    // 100 of the 10,000 values 0, 0.0001, … lie below 0.01 and 100 at or above 0.99 (to within one value spacing).
    expect(first.min).toBeCloseTo(0.01, 3);
    expect(first.max).toBeCloseTo(0.99, 3);
    expect(second.min).toBeCloseTo(-1.98, 3);
    expect(second.max).toBeCloseTo(-0.02, 3);
  });

  it('an outlier stretches min/max but not the 99.99th percentile', () => {
    const spiky = [...windows, Float64Array.from({ length: 1000 }, (_, i) => (i === 0 ? 1000 : 0.5))];
    const [plain] = calibrateRanges(spiky, identity);
    const [clipped] = calibrateRanges(spiky, identity, { percentile: 99.99 });
    expect(plain.max).toBe(1000);
    // 11,000 values, 1.1 above the quantile: the outlier and a tenth of the largest ordinary one (0.9999).
    expect(clipped.max).toBeGreaterThan(0.99);
    expect(clipped.max).toBeLessThan(1.0005);
  });

  it('refuses nonsense', () => {
    expect(() => calibrateRanges([], identity)).toThrow(/at least one window/);
    expect(() => calibrateRanges(windows, identity, { percentile: 40 })).toThrow(/percentile/);
    expect(() => calibrateRanges([[Number.NaN]], identity)).toThrow(/NaN/);
  });
});
