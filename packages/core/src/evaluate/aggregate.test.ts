import { describe, expect, it } from 'vitest';
import { foldSpread, formatSpread } from './aggregate';

describe('foldSpread', () => {
  it('gives mean, sample sd, median, worst and best over the folds that have the figure', () => {
    // 0.5, 0.7, 0.9: mean 0.7, sd √((0.04 + 0 + 0.04) / 2) = 0.2.
    const spread = foldSpread([
      { fold: 'SA02', value: 0.9 },
      { fold: 'SA01', value: 0.5 },
      { fold: 'SE01', value: null },
      { fold: 'SA03', value: 0.7 },
    ]);
    expect(spread.folds).toBe(3);
    expect(spread.mean).toBeCloseTo(0.7, 12);
    expect(spread.sd).toBeCloseTo(0.2, 12);
    expect(spread.median).toBeCloseTo(0.7, 12);
    expect(spread.worst).toEqual({ fold: 'SA01', value: 0.5 });
    expect(spread.best).toEqual({ fold: 'SA02', value: 0.9 });
    expect(formatSpread(spread)).toBe('0.700 ± 0.200');
  });

  it('takes the highest value as the worst where higher is worse (false alarms per hour)', () => {
    const spread = foldSpread(
      [
        { fold: 'A', value: 1 },
        { fold: 'B', value: 4 },
        { fold: 'C', value: 2 },
        { fold: 'D', value: 3 },
      ],
      false,
    );
    expect(spread.worst).toEqual({ fold: 'B', value: 4 });
    expect(spread.best).toEqual({ fold: 'A', value: 1 });
    expect(spread.median).toBe(2.5);
  });

  it('has no sd for one fold and nothing for none', () => {
    expect(foldSpread([{ fold: 'DS2', value: 0.4 }])).toMatchObject({ folds: 1, mean: 0.4, sd: null, median: 0.4 });
    expect(formatSpread(foldSpread([{ fold: 'DS2', value: 0.4 }]))).toBe('0.400');
    expect(foldSpread([{ fold: 'A', value: null }])).toEqual({ folds: 0, mean: null, sd: null, median: null, worst: null, best: null });
    expect(formatSpread(foldSpread([]))).toBe('–');
  });
});
