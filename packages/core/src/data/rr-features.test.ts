import { describe, expect, it } from 'vitest';
import { rrChannels, rrFeatures, rrIntervalsAt, rrPhysical } from './rr-features';

describe('RR-interval features of a beat', () => {
  // R peaks at 180 Hz: a steady 150-sample rhythm, then a premature beat (90) and its compensatory pause (210).
  const peaks = [0, 150, 300, 450, 600, 750, 900, 1050, 1200, 1350, 1440, 1650, 1800];

  it('keeps the last 8 intervals up to the beat, oldest first, then the interval to the next beat', () => {
    expect(Array.from(rrIntervalsAt(peaks, 10)!)).toEqual([150, 150, 150, 150, 150, 150, 150, 90, 210]);
  });

  it('marks intervals before the recording’s first beat as 0, and has none for the first and last beat', () => {
    expect(Array.from(rrIntervalsAt(peaks, 2)!)).toEqual([0, 0, 0, 0, 0, 0, 150, 150, 150]);
    expect(rrIntervalsAt(peaks, 0)).toBeNull();
    expect(rrIntervalsAt(peaks, peaks.length - 1)).toBeNull();
  });

  it('clamps intervals to [1, 65535] samples: two beats on one sample still count, a long gap saturates', () => {
    expect(Array.from(rrIntervalsAt([0, 100, 100, 100 + 70000], 1)!).slice(7)).toEqual([100, 1]);
    expect(Array.from(rrIntervalsAt([0, 100, 100, 100 + 70000], 2)!).slice(7)).toEqual([1, 65535]);
  });

  it('gives pre- and post-RR over the local mean in 1/256 and the mean in samples, rounded', () => {
    // Local mean (7·150 + 90) / 8 = 142.5 → 143; 256·90/143 = 161.1 → 161; 256·210/143 = 375.9 → 376.
    expect(rrFeatures(rrIntervalsAt(peaks, 10)!)).toEqual([161, 376, 143]);
    // On the rhythm: 256 and 256.
    expect(rrFeatures(rrIntervalsAt(peaks, 5)!)).toEqual([256, 256, 150]);
    // Early in a recording the mean is over the intervals there are.
    expect(rrFeatures([0, 0, 0, 0, 0, 0, 100, 200, 150])).toEqual([341, 256, 150]);
  });

  it('saturates each feature at 32767', () => {
    expect(rrFeatures([1, 1, 1, 1, 1, 1, 1, 1, 65535])).toEqual([256, 32767, 1]);
    expect(rrFeatures([65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 1])[2]).toBe(32767);
  });

  it('in physical units: ratios and seconds, one count each being the channel’s perCount', () => {
    const physical = rrPhysical(rrIntervalsAt(peaks, 10)!, 180);
    const channels = rrChannels(180);
    expect(channels.map((c) => c.name)).toEqual(['rr_pre', 'rr_post', 'rr_local']);
    expect(physical.map((v, i) => Math.round(v / channels[i].perCount))).toEqual([161, 376, 143]);
  });
});
