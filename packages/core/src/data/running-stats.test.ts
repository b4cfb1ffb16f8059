import { describe, expect, it } from 'vitest';
import { mergeMoments, momentsOf, standardDeviation } from './running-stats';

describe('per-channel moments', () => {
  it('merging summaries of parts equals the summary of the whole', () => {
    const values = Array.from({ length: 600 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 2 === 0 ? 10 : -2));
    const whole = momentsOf(Float32Array.from(values), 2);
    const merged = mergeMoments(momentsOf(Float32Array.from(values.slice(0, 202)), 2), momentsOf(Float32Array.from(values.slice(202)), 2));
    expect(merged.count).toBe(300);
    merged.mean.forEach((m, c) => expect(m).toBeCloseTo(whole.mean[c], 10));
    merged.m2.forEach((m, c) => expect(m).toBeCloseTo(whole.m2[c], 6));
  });

  it('gives the population mean and standard deviation, and 1 for a flat channel', () => {
    const moments = momentsOf(Float32Array.from([1, 5, 3, 5, 5, 5, 7, 5]), 2);
    expect(moments.mean).toEqual([4, 5]);
    expect(standardDeviation(moments)).toEqual([Math.sqrt(5), 1]);
  });
});
