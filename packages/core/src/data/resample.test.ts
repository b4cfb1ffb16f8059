import { describe, expect, it } from 'vitest';
import { decimate, lowPassKernel, mapIndex } from './resample';

/** `channels` interleaved sinusoids, channel c = amplitude·sin(2π·frequency·t + c) (frequency in cycles/sample). */
function tone(length: number, frequency: number, channels = 1, amplitude = 1): Float32Array {
  const data = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    for (let c = 0; c < channels; c++) data[t * channels + c] = amplitude * Math.sin(2 * Math.PI * frequency * t + c);
  }
  return data;
}

/** Largest |value| of one channel, away from the edges (reflection is not a continuation of a tone). */
function interiorPeak(data: Float32Array, channels: number, channel: number, margin: number): number {
  const length = data.length / channels;
  let peak = 0;
  for (let t = margin; t < length - margin; t++) peak = Math.max(peak, Math.abs(data[t * channels + channel]));
  return peak;
}

describe('decimate', () => {
  it('keeps a constant signal constant, edges included', () => {
    for (const factor of [2, 3, 4]) {
      const out = decimate(new Float32Array(1001).fill(0.987654), 1, factor);
      for (const value of out) expect(Math.abs(value - 0.987654) / 0.987654).toBeLessThan(1e-6);
    }
  });

  it('returns ceil(n / factor) samples per channel', () => {
    for (const [n, factor] of [
      [10, 2],
      [11, 2],
      [10, 3],
      [1, 4],
      [0, 2],
      [5, 10],
    ] as const) {
      expect(decimate(new Float32Array(n * 3), 3, factor).length).toBe(Math.ceil(n / factor) * 3);
    }
  });

  it('keeps the amplitude of a tone well below the new Nyquist within 1 %', () => {
    // 10 Hz at 200 Hz input, decimated to 100 Hz (new Nyquist 50 Hz); and 0.25 of the new Nyquist at factor 4.
    for (const [frequency, factor] of [
      [10 / 200, 2],
      [20 / 200, 2],
      [0.25 * (0.5 / 4), 4],
    ] as const) {
      const out = decimate(tone(4000, frequency), 1, factor);
      // Compare with the ideal tone at the output instants (the samples need not hit the crest).
      const ideal = tone(out.length, frequency * factor);
      let dot = 0;
      let energy = 0;
      for (let j = 50; j < out.length - 50; j++) {
        dot += out[j] * ideal[j];
        energy += ideal[j] * ideal[j];
      }
      const gain = dot / energy;
      expect(Math.abs(gain - 1)).toBeLessThan(0.01);
      for (let j = 50; j < out.length - 50; j++) expect(Math.abs(out[j] - gain * ideal[j])).toBeLessThan(1e-3);
    }
  });

  it('attenuates tones above the new Nyquist by at least 40 dB', () => {
    for (const factor of [2, 3, 5]) {
      const newNyquist = 0.5 / factor;
      for (const frequency of [newNyquist, 1.2 * newNyquist, 2 * newNyquist, 0.45]) {
        const out = decimate(tone(6000, frequency), 1, factor);
        expect(interiorPeak(out, 1, 0, 50)).toBeLessThan(0.01);
      }
    }
  });

  it('filters each interleaved channel on its own', () => {
    const channels = 3;
    const length = 2000;
    const data = new Float32Array(length * channels);
    for (let t = 0; t < length; t++) {
      data[t * channels] = 2; // DC
      data[t * channels + 1] = Math.sin(2 * Math.PI * 0.02 * t); // passband tone
      data[t * channels + 2] = Math.sin(2 * Math.PI * 0.4 * t); // aliasing tone
    }
    const out = decimate(data, channels, 2);
    expect(interiorPeak(out, channels, 0, 0)).toBeCloseTo(2, 5);
    expect(interiorPeak(out, channels, 1, 50)).toBeGreaterThan(0.99);
    expect(interiorPeak(out, channels, 2, 50)).toBeLessThan(0.01);
    // The same as decimating the passband channel alone.
    const alone = new Float32Array(length);
    for (let t = 0; t < length; t++) alone[t] = data[t * channels + 1];
    const aloneOut = decimate(alone, 1, 2);
    for (let j = 0; j < aloneOut.length; j++) expect(out[j * channels + 1]).toBe(aloneOut[j]);
  });

  it('is zero phase: an impulse at input i peaks at output i / factor', () => {
    for (const factor of [2, 4]) {
      const data = new Float32Array(400);
      data[200] = 1;
      const out = decimate(data, 1, factor);
      expect(out.indexOf(Math.max(...out))).toBe(mapIndex(200, factor));
    }
  });

  it('returns a copy for factor 1', () => {
    const data = tone(100, 0.1, 2);
    const out = decimate(data, 2, 1);
    expect(out).toEqual(data);
    expect(out).not.toBe(data);
  });

  it('handles signals shorter than the kernel', () => {
    expect(Array.from(decimate(new Float32Array([3]), 1, 2))).toEqual([3]);
    const out = decimate(new Float32Array([1, 1, 1, 1, 1]), 1, 4);
    for (const value of out) expect(value).toBeCloseTo(1, 6);
  });

  it('is deterministic', () => {
    const data = tone(3000, 0.013, 6, 3);
    expect(decimate(data, 6, 2)).toEqual(decimate(data, 6, 2));
  });

  it('rejects factors that are not positive integers, and bad channel counts', () => {
    for (const factor of [0, 1.5, -2, Number.NaN]) {
      expect(() => decimate(new Float32Array(10), 1, factor)).toThrow(/factor must be a positive integer/);
    }
    expect(() => decimate(new Float32Array(10), 3, 2)).toThrow(/not a multiple of 3 channels/);
    expect(() => decimate(new Float32Array(10), 0, 2)).toThrow(/channels must be a positive integer/);
  });
});

describe('lowPassKernel', () => {
  it('has 16·factor + 1 symmetric taps summing to 1', () => {
    const kernel = lowPassKernel(3);
    expect(kernel.length).toBe(49);
    expect(kernel.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let k = 0; k < kernel.length; k++) expect(kernel[k]).toBe(kernel[kernel.length - 1 - k]);
  });
});

describe('mapIndex', () => {
  it('rounds to the nearest output sample and clips to the output', () => {
    expect(mapIndex(0, 2)).toBe(0);
    expect(mapIndex(6, 2)).toBe(3);
    expect(mapIndex(7, 2)).toBe(4);
    expect(mapIndex(7, 4)).toBe(2);
    expect(mapIndex(-3, 2)).toBe(0);
    expect(mapIndex(3, 2, 4)).toBe(1); // 4 samples -> 2 outputs
    expect(mapIndex(2999, 2, 3000)).toBe(1499);
    expect(mapIndex(3, 1, 10)).toBe(3);
    expect(() => mapIndex(3, 0)).toThrow(/factor/);
  });
});
