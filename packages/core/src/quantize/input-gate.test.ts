import { describe, expect, it } from 'vitest';
import { fitInputGate, gatedUncertaintyQ15, readInputGate } from './input-gate';

describe('the input-quality gate', () => {
  // 4 samples × 2 channels, time-major; a raw 0 reads as (−5, 3).
  const zero = [-5, 3];

  it('reads roughness (Σ |x[t][c] − x[t−1][c]|) and the samples reading 0 on every channel', () => {
    const gate = { zero, roughnessMax: 10, zeroSamplesMax: 0 };
    expect(readInputGate(gate, [0, 0, 2, -1, 2, 1, 0, 0])).toEqual({ roughness: 2 + 1 + 0 + 2 + 2 + 1, zeroSamples: 0, ok: true });
    // Two samples at the zero reading on both channels; one with only the first channel there does not count.
    expect(readInputGate(gate, [-5, 3, -5, 3, -5, 0, 1, 1])).toEqual({ roughness: 0 + 0 + 0 + 3 + 6 + 1, zeroSamples: 2, ok: false });
    expect(readInputGate({ ...gate, zeroSamplesMax: 2 }, [-5, 3, -5, 3, -5, 0, 1, 1]).ok).toBe(true);
    expect(readInputGate({ ...gate, roughnessMax: 9 }, [0, 0, 2, -1, 2, 1, 0, 0]).ok).toBe(true);
    expect(readInputGate({ ...gate, roughnessMax: 7 }, [0, 0, 2, -1, 2, 1, 0, 0]).ok).toBe(false);
  });

  it('takes its bounds from the calibration windows, so none of them is rejected', () => {
    const windows = [
      [0, 0, 2, -1, 2, 1, 0, 0],
      [-5, 3, -5, 3, 0, 0, 0, 0],
      [10, -10, -10, 10, 10, -10, -10, 10],
    ];
    const gate = fitInputGate(zero, windows);
    expect(gate).toEqual({ zero, roughnessMax: 120, zeroSamplesMax: 2 });
    for (const w of windows) expect(readInputGate(gate, w).ok).toBe(true);
    expect(() => fitInputGate(zero, [])).toThrow(/no calibration windows/);
  });

  it('makes a rejected window’s uncertainty 1 and leaves a passing one alone', () => {
    expect(gatedUncertaintyQ15(1200, { roughness: 1, zeroSamples: 9, ok: false })).toBe(32768);
    expect(gatedUncertaintyQ15(1200, { roughness: 1, zeroSamples: 0, ok: true })).toBe(1200);
    expect(gatedUncertaintyQ15(1200, null)).toBe(1200);
  });
});
