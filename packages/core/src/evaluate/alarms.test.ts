import { describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import { alarmWindows, alarmWindowsOnHops, describeRule, deviceAlarmRule, refractorySamples, refractoryWindows } from './alarms';

/** Windows ending every second: window i ends at i + 1 s. */
const ends = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
const decisions = (pattern: string) => Array.from(pattern, (c) => c === '1');

describe('alarmWindows (k of n consecutive windows, refractory seconds)', () => {
  it('with 1 of 1 and no refractory time raises an alarm at every positive window', () => {
    expect(alarmWindows(decisions('0110010'), ends(7), { k: 1, n: 1, refractorySeconds: 0 }, 1)).toEqual([1, 2, 5]);
  });

  it('raises the alarm at the window that completes k of the last n, not before', () => {
    // 2 of 3: windows 0..3 hold one positive; window 4 makes two in 2..4.
    expect(alarmWindows(decisions('0010100'), ends(7), { k: 2, n: 3, refractorySeconds: 100 }, 1)).toEqual([4]);
    expect(alarmWindows(decisions('0101000'), ends(7), { k: 2, n: 3, refractorySeconds: 100 }, 1)).toEqual([3]);
  });

  it('forgets a vote once it leaves the last n windows (k-of-n boundary)', () => {
    // Positives 3 windows apart never share a window of 3.
    expect(alarmWindows(decisions('1001001'), ends(7), { k: 2, n: 3, refractorySeconds: 0 }, 1)).toEqual([]);
    // 2 apart: they do.
    expect(alarmWindows(decisions('10100'), ends(5), { k: 2, n: 3, refractorySeconds: 0 }, 1)).toEqual([2]);
  });

  it('counts fewer than n windows at the start of a recording', () => {
    expect(alarmWindows(decisions('11'), ends(2), { k: 2, n: 5, refractorySeconds: 0 }, 1)).toEqual([1]);
    expect(alarmWindows(decisions('1'), ends(1), { k: 2, n: 5, refractorySeconds: 0 }, 1)).toEqual([]);
  });

  it('stays silent for the refractory time after an alarm, and allows one exactly when it has passed', () => {
    // Every window positive, 1 of 1: alarms at ends 1, 4, 7 with 3 s refractory (4 − 1 = 3 is allowed).
    expect(alarmWindows(decisions('11111111'), ends(8), { k: 1, n: 1, refractorySeconds: 3 }, 1)).toEqual([0, 3, 6]);
    // 2.5 s: the next window after 2.5 s is the one ending at 4 (3 s later) too.
    expect(alarmWindows(decisions('11111111'), ends(8), { k: 1, n: 1, refractorySeconds: 2.5 }, 1)).toEqual([0, 3, 6]);
  });

  it('measures the refractory time on window end times, not window counts', () => {
    const irregular = [1, 1.5, 2, 10, 10.5];
    expect(alarmWindows(decisions('11111'), irregular, { k: 1, n: 1, refractorySeconds: 5 }, 2)).toEqual([0, 3]);
  });

  it('counts the refractory time in whole samples: an alarm exactly refractorySeconds later is allowed whatever floating point says', () => {
    // 50 Hz, a window every sample: ends 0.02 s apart. 0.24 s is 12 samples; in floating point the 12th end after
    // the first lies 0.23999999999999977 s after it, and a seconds comparison would wait one window more.
    const ends = Array.from({ length: 30 }, (_, i) => i / 50 + 128 / 50);
    expect(ends[12] - ends[0]).toBeLessThan(0.24);
    expect(alarmWindows(new Array(30).fill(true), ends, { k: 1, n: 1, refractorySeconds: 0.24 }, 50)).toEqual([0, 12, 24]);
  });

  it('is described in words for reports and firmware', () => {
    expect(describeRule({ k: 2, n: 3, refractorySeconds: 5 })).toContain('2 of the last 3 consecutive windows');
    expect(describeRule({ k: 2, n: 3, refractorySeconds: 5 })).toContain('no further alarm of that event for 5 s');
  });
});

/** The rule as it was first written: end-time differences compared in floating-point seconds. */
function secondsInFloatingPoint(positive: boolean[], ends: number[], rule: { k: number; n: number; refractorySeconds: number }): number[] {
  const alarms: number[] = [];
  let votes = 0;
  let last = -Infinity;
  positive.forEach((p, i) => {
    votes += (p ? 1 : 0) - (i >= rule.n && positive[i - rule.n] ? 1 : 0);
    if (votes >= rule.k && ends[i] - last >= rule.refractorySeconds) {
      alarms.push(i);
      last = ends[i];
    }
  });
  return alarms;
}

describe('the refractory conversion (one definition for evaluate and firmware)', () => {
  it('is ⌈refractorySeconds · rate⌉ samples, exactly on the decimals as written', () => {
    expect(refractorySamples(5, 100)).toBe(500);
    expect(refractorySamples(0, 100)).toBe(0);
    expect(0.07 * 100).toBeGreaterThan(7); // floating point would give 8
    expect(refractorySamples(0.07, 100)).toBe(7);
    expect(refractorySamples(0.071, 100)).toBe(8);
    expect(refractorySamples(2.5, 1)).toBe(3);
    expect(refractorySamples(0.24, 50)).toBe(12);
    expect(refractorySamples(1e-7, 100)).toBe(1);
    expect(refractorySamples(86400, 100000)).toBe(8_640_000_000);
    expect(refractorySamples(0.5, 51.5)).toBe(26); // 25.75
    expect(() => refractorySamples(-1, 100)).toThrow(/≥ 0/);
  });

  it('in windows a hop apart is ⌈samples / hop⌉', () => {
    expect(refractoryWindows(5, 100, 12)).toBe(42); // fall-esp32: 500 / 12 = 41.7
    expect(refractoryWindows(5, 50, 64)).toBe(4); // har-hapt-h747: 250 / 64 = 3.9
    expect(refractoryWindows(0.36, 100, 12)).toBe(3); // exactly 3 hops
    expect(refractoryWindows(0, 100, 12)).toBe(0);
    expect(deviceAlarmRule({ k: 2, n: 3, refractorySeconds: 5 }, 100, 12)).toEqual({
      k: 2,
      n: 3,
      refractorySeconds: 5,
      sampleRateHz: 100,
      hop: 12,
      refractorySamples: 500,
      refractoryWindows: 42,
    });
    expect(deviceAlarmRule({ k: 1, n: 1, refractorySeconds: 0.5 }, 180, null).refractoryWindows).toBeNull();
  });

  it('makes the seconds rule on real window end times equal the windows rule on consecutive windows (random rules, rates, hops; refractory times on and off the hop grid)', () => {
    const random = new Random(0xa1a4);
    let floatWouldDiffer = 0;
    for (let c = 0; c < 3000; c++) {
      const rate = random.pick([50, 100, 128, 180, 200, 250, 360, 1000, 51.5]);
      const hop = random.pick([1, 2, 5, 6, 12, 18, 25, 36, 64, 100, 1 + random.int(200)]);
      const length = hop + random.int(300);
      const n = random.pick([1, 1, 2, 3, 5, 1 + random.int(20)]);
      const k = random.pick([1, n, 1 + random.int(n)]);
      const pick = random.int(4);
      // On the grid: m hops, as the decimal a user would write (e.g. 0.36 s at 100 Hz, hop 12); off it: anything.
      const seconds =
        pick === 0
          ? 0
          : pick === 1
            ? Number((((1 + random.int(60)) * hop) / rate).toPrecision(12))
            : pick === 2
              ? Math.round(random.next() * 20000) / 1000
              : random.next() * 10;
      const windows = 1 + random.int(300);
      const density = random.next();
      const positive = Array.from({ length: windows }, () => random.next() < density);
      // As recordings.ts computes them: (window start − recording start) / rate + length / rate.
      const first = random.int(5000);
      const ends = positive.map((_, i) => (first + i * hop) / rate + length / rate);
      const rule = { k, n, refractorySeconds: seconds };
      const expected = alarmWindowsOnHops(positive, { k, n, refractoryWindows: refractoryWindows(seconds, rate, hop) });
      expect(alarmWindows(positive, ends, rule, rate), `${JSON.stringify(rule)} at ${rate} Hz, hop ${hop}`).toEqual(expected);
      if (JSON.stringify(secondsInFloatingPoint(positive, ends, rule)) !== JSON.stringify(expected)) floatWouldDiffer++;
    }
    // Among them were cases where comparing seconds in floating point misses an alarm exactly on the boundary.
    expect(floatWouldDiffer).toBeGreaterThan(20);
  });
});
