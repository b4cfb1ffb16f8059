import { describe, expect, it } from 'vitest';
import { beatWindows, labelSlidingWindows, overlapsEventInterval, slidingGeometry, slidingStarts, type LabelPolicy } from './windowing';

const impact: LabelPolicy = { policy: 'impact', preSamples: 100, postSamples: 50, fallTrialRest: 'negative', minPurity: 0.5, unlabelled: 'other' };

describe('sliding window geometry', () => {
  it('MicroNAS settings: 1.2 s at 100 Hz with 90 % overlap is 120 samples every 12', () => {
    expect(slidingGeometry(1.2, 0.9, 100)).toEqual({ length: 120, stride: 12 });
  });

  it('no overlap strides by a whole window; the stride is never below one sample', () => {
    expect(slidingGeometry(2.56, 0, 50)).toEqual({ length: 128, stride: 128 });
    expect(slidingGeometry(0.05, 0.99, 100).stride).toBe(1);
  });

  it('counts floor((n − L) / stride) + 1 full windows and none when the recording is shorter than a window', () => {
    for (const [n, length, stride] of [
      [1500, 120, 12],
      [120, 120, 12],
      [131, 120, 12],
      [132, 120, 12],
      [10000, 256, 128],
    ]) {
      const starts = slidingStarts(n, length, stride);
      expect(starts.length).toBe(Math.floor((n - length) / stride) + 1);
      expect(starts.at(-1)! + length).toBeLessThanOrEqual(n);
    }
    expect(slidingStarts(119, 120, 12)).toEqual([]);
  });
});

describe('impact label policy', () => {
  it('a window is a fall window when it shares one sample with [impact − pre, impact + post]', () => {
    // window covers [s, s + 119]; interval [900, 1050]
    expect(overlapsEventInterval(781, 120, 1000, 100, 50)).toBe(true); // last sample 900
    expect(overlapsEventInterval(780, 120, 1000, 100, 50)).toBe(false); // last sample 899
    expect(overlapsEventInterval(1050, 120, 1000, 100, 50)).toBe(true); // first sample 1050
    expect(overlapsEventInterval(1051, 120, 1000, 100, 50)).toBe(false);
  });

  it('a zero-width interval marks exactly the windows containing the impact sample', () => {
    const windows = labelSlidingWindows(
      { length: 600, recordingLabel: 'fall', events: [{ at: 300, label: 'impact' }] },
      120,
      12,
      { ...impact, preSamples: 0, postSamples: 0 },
      'adl',
    );
    const falls = windows.filter((w) => w.label === 'fall');
    expect(falls.every((w) => w.start <= 300 && 300 < w.start + 120)).toBe(true);
    expect(falls.length).toBe(10); // starts 192, 204, ..., 300
  });

  it('the rest of a fall trial is negative or dropped, as the spec says', () => {
    const trial = { length: 1500, recordingLabel: 'fall', events: [{ at: 1000, label: 'impact' }] };
    const negative = labelSlidingWindows(trial, 120, 12, impact, 'adl');
    const excluded = labelSlidingWindows(trial, 120, 12, { ...impact, fallTrialRest: 'exclude' }, 'adl');
    expect(negative.length).toBe(slidingStarts(1500, 120, 12).length);
    expect(excluded.every((w) => w.label === 'fall')).toBe(true);
    expect(excluded.length).toBe(negative.filter((w) => w.label === 'fall').length);
    // windows starting in [781, 1050] overlap: starts 792..1044 step 12 → 22 windows
    expect(excluded.length).toBe(22);
  });

  it('ADL trials have no impact and every window takes the trial label', () => {
    const windows = labelSlidingWindows({ length: 1200, recordingLabel: 'adl' }, 120, 12, impact, 'adl');
    expect(new Set(windows.map((w) => w.label))).toEqual(new Set(['adl']));
  });
});

describe('segment label policies', () => {
  const segments = [
    { start: 0, end: 100, label: 'walking' },
    { start: 150, end: 300, label: 'sitting' },
  ];
  const majority: LabelPolicy = { ...impact, policy: 'majority', minPurity: 0.5, unlabelled: 'other' };

  it('majority: the label covering most of the window, if it covers at least minPurity of it', () => {
    const windows = labelSlidingWindows({ length: 300, segments }, 100, 50, majority, 'x');
    expect(windows.map((w) => [w.start, w.label])).toEqual([
      [0, 'walking'], // 100 walking
      [50, 'walking'], // 50 walking, 50 unlabelled: a tie goes to the labelled activity
      [100, 'sitting'], // 50 unlabelled, 50 sitting: a tie goes to the labelled activity
      [150, 'sitting'],
      [200, 'sitting'],
    ]);
  });

  it('majority with unlabelled: exclude drops windows whose labelled part is below minPurity', () => {
    const windows = labelSlidingWindows({ length: 300, segments }, 100, 50, { ...majority, unlabelled: 'exclude', minPurity: 0.6 }, 'x');
    expect(windows.map((w) => w.start)).toEqual([0, 150, 200]);
  });

  it('centre: the label at the centre sample', () => {
    const windows = labelSlidingWindows({ length: 300, segments }, 100, 50, { ...majority, policy: 'centre' }, 'x');
    expect(windows.map((w) => w.label)).toEqual(['walking', 'other', 'sitting', 'sitting', 'sitting']);
  });
});

describe('beat windows', () => {
  it('place `before` samples ahead of each beat and skip beats too near either end', () => {
    const recording = {
      length: 1000,
      events: [
        { at: 50, label: 'N' },
        { at: 500, label: 'V' },
        { at: 900, label: 'N' },
      ],
    };
    expect(beatWindows(recording, 259, 104)).toEqual([{ start: 396, label: 'V', event: 1 }]);
    expect(beatWindows(recording, 100, 50)).toEqual([
      { start: 0, label: 'N', event: 0 },
      { start: 450, label: 'V', event: 1 },
      { start: 850, label: 'N', event: 2 },
    ]);
  });
});
