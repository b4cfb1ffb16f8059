import { describe, expect, it } from 'vitest';
import { alarmWindows, describeRule } from './alarms';

/** Windows ending every second: window i ends at i + 1 s. */
const ends = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
const decisions = (pattern: string) => Array.from(pattern, (c) => c === '1');

describe('alarmWindows (k of n consecutive windows, refractory seconds)', () => {
  it('with 1 of 1 and no refractory time raises an alarm at every positive window', () => {
    expect(alarmWindows(decisions('0110010'), ends(7), { k: 1, n: 1, refractorySeconds: 0 })).toEqual([1, 2, 5]);
  });

  it('raises the alarm at the window that completes k of the last n, not before', () => {
    // 2 of 3: windows 0..3 hold one positive; window 4 makes two in 2..4.
    expect(alarmWindows(decisions('0010100'), ends(7), { k: 2, n: 3, refractorySeconds: 100 })).toEqual([4]);
    expect(alarmWindows(decisions('0101000'), ends(7), { k: 2, n: 3, refractorySeconds: 100 })).toEqual([3]);
  });

  it('forgets a vote once it leaves the last n windows (k-of-n boundary)', () => {
    // Positives 3 windows apart never share a window of 3.
    expect(alarmWindows(decisions('1001001'), ends(7), { k: 2, n: 3, refractorySeconds: 0 })).toEqual([]);
    // 2 apart: they do.
    expect(alarmWindows(decisions('10100'), ends(5), { k: 2, n: 3, refractorySeconds: 0 })).toEqual([2]);
  });

  it('counts fewer than n windows at the start of a recording', () => {
    expect(alarmWindows(decisions('11'), ends(2), { k: 2, n: 5, refractorySeconds: 0 })).toEqual([1]);
    expect(alarmWindows(decisions('1'), ends(1), { k: 2, n: 5, refractorySeconds: 0 })).toEqual([]);
  });

  it('stays silent for the refractory time after an alarm, and allows one exactly when it has passed', () => {
    // Every window positive, 1 of 1: alarms at ends 1, 4, 7 with 3 s refractory (4 − 1 = 3 is allowed).
    expect(alarmWindows(decisions('11111111'), ends(8), { k: 1, n: 1, refractorySeconds: 3 })).toEqual([0, 3, 6]);
    // 2.5 s: the next window after 2.5 s is the one ending at 4 (3 s later) too.
    expect(alarmWindows(decisions('11111111'), ends(8), { k: 1, n: 1, refractorySeconds: 2.5 })).toEqual([0, 3, 6]);
  });

  it('measures the refractory time on window end times, not window counts', () => {
    const irregular = [1, 1.5, 2, 10, 10.5];
    expect(alarmWindows(decisions('11111'), irregular, { k: 1, n: 1, refractorySeconds: 5 })).toEqual([0, 3]);
  });

  it('is described in words for reports and firmware', () => {
    expect(describeRule({ k: 2, n: 3, refractorySeconds: 5 })).toContain('2 of the last 3 consecutive windows');
    expect(describeRule({ k: 2, n: 3, refractorySeconds: 5 })).toContain('no further alarm of that event for 5 s');
  });
});
