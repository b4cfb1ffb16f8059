import { describe, expect, it } from 'vitest';
import { fitInputGate, gatedUncertaintyQ15, readInputGate } from './input-gate';

describe('the input-quality gate', () => {
  // 5 samples × 2 channels, time-major; a raw 0 reads as (−5, 3).
  const zero = [-5, 3];
  //                          t=0     t=1     t=2     t=3     t=4
  const smooth = Int8Array.from([0, 0, 1, 2, 2, 4, 3, 6, 4, 8]); // straight lines: every second difference 0
  const bent = Int8Array.from([0, 0, 9, 0, 0, 0, 0, 5, 0, 0]); // second differences: (−18, 0), (9, 5), (0, −10)

  it('counts second differences above jitterStep (t = 1 … T − 2) and the samples reading 0 on every channel', () => {
    const gate = { zero, jitterStep: 4, jitterMax: 10, zeroSamplesMax: 0 };
    expect(readInputGate(gate, smooth)).toEqual({ jitter: 0, zeroSamples: 0, ok: true });
    expect(readInputGate(gate, bent)).toEqual({ jitter: 4, zeroSamples: 0, ok: true });
    expect(readInputGate({ ...gate, jitterStep: 9 }, bent).jitter).toBe(2); // |−18| and |−10|; 9 is not above 9
    expect(readInputGate({ ...gate, jitterMax: 3 }, bent).ok).toBe(false);
    // Two samples at the zero reading on both channels; one with only the first channel there does not count.
    const lost = Int8Array.from([-5, 3, -5, 3, -5, 0, 1, 1, 1, 1]);
    expect(readInputGate(gate, lost)).toMatchObject({ zeroSamples: 2, ok: false });
    expect(readInputGate({ ...gate, zeroSamplesMax: 2 }, lost).ok).toBe(true);
  });

  it('fits jitterStep as the 99th percentile of the calibration second differences, and bounds no calibration window rejects', () => {
    // 100 windows: 99 straight lines and one with the bends above: 4 of the 600 second differences are non-zero, so
    // the 99th percentile is 0.
    const windows = [...Array.from({ length: 99 }, () => smooth), bent];
    const gate = fitInputGate(zero, windows);
    expect(gate.jitterStep).toBe(0);
    expect(gate.jitterMax).toBe(4); // bent's four non-zero second differences
    expect(gate.zeroSamplesMax).toBe(0);
    for (const w of windows) expect(readInputGate(gate, w).ok).toBe(true);
    // White noise bends nearly every sample: far above the bound.
    const noisy = Int8Array.from({ length: 240 }, (_, i) => ((i * 7919) % 41) - 20);
    expect(readInputGate({ ...gate, zero: [0, 0] }, noisy).ok).toBe(false);
    expect(() => fitInputGate(zero, [])).toThrow(/no calibration windows/);
  });

  it('makes a rejected window’s uncertainty 1 and leaves a passing one alone', () => {
    expect(gatedUncertaintyQ15(1200, { jitter: 1, zeroSamples: 9, ok: false })).toBe(32768);
    expect(gatedUncertaintyQ15(1200, { jitter: 1, zeroSamples: 0, ok: true })).toBe(1200);
    expect(gatedUncertaintyQ15(1200, null)).toBe(1200);
  });
});
