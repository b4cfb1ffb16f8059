import { describe, expect, it } from 'vitest';
import { auroc, confusionMatrix, metricsFromConfusion, positiveF1 } from './metrics';

describe('metrics', () => {
  it('confusion matrix is [true][predicted]', () => {
    expect(confusionMatrix([0, 0, 1, 1, 1, 0], [0, 1, 1, 0, 1, 0], 2)).toEqual([
      [2, 1],
      [1, 2],
    ]);
  });

  it('per-class precision, recall, F1, macro-F1, accuracy and the positive-class F1 by hand', () => {
    // fall (1): 8 true, 6 found, 4 false alarms → P 6/10, R 6/8, F1 2·0.6·0.75/1.35
    const confusion = [
      [86, 4],
      [2, 6],
    ];
    const m = metricsFromConfusion(confusion, 1);
    expect(m.perClass[1].precision).toBeCloseTo(0.6, 15);
    expect(m.perClass[1].recall).toBeCloseTo(0.75, 15);
    expect(m.positiveF1).toBeCloseTo((2 * 0.6 * 0.75) / 1.35, 15);
    expect(m.perClass[0].precision).toBeCloseTo(86 / 88, 15);
    expect(m.perClass[0].recall).toBeCloseTo(86 / 90, 15);
    expect(m.macroF1).toBeCloseTo((m.perClass[0].f1 + m.perClass[1].f1) / 2, 15);
    expect(m.accuracy).toBeCloseTo(92 / 98, 15);
    expect(m.count).toBe(98);
    expect(m.perClass[1].support).toBe(8);
    expect(positiveF1(confusion, 1)).toBe(m.positiveF1);
  });

  it('undefined precision or recall count as 0 (nothing predicted, nothing present)', () => {
    const never = metricsFromConfusion(
      [
        [10, 0],
        [5, 0],
      ],
      1,
    );
    expect(never.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 5 });
    const absent = metricsFromConfusion(
      [
        [10, 2],
        [0, 0],
      ],
      1,
    );
    expect(absent.positiveF1).toBe(0);
    expect(
      metricsFromConfusion(
        [
          [0, 0],
          [0, 0],
        ],
        1,
      ).accuracy,
    ).toBe(0);
  });
});

describe('auroc', () => {
  it('is the chance that a positive outscores a negative, ties counting one half', () => {
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1, 2], [3, 4])).toBe(0);
    expect(auroc([1, 1], [1, 1])).toBe(0.5);
    // Pairs (2,1) win, (2,2) ties, (2,3) loses, (5,·) wins all three: (1 + 0.5 + 0 + 3) / 6.
    expect(auroc([2, 5], [1, 2, 3])).toBeCloseTo(4.5 / 6, 12);
    expect(auroc([], [1])).toBeNull();
  });
});
