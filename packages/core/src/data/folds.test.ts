import { describe, expect, it } from 'vitest';
import { buildFolds, classWeights, imbalanceRatio } from './folds';

describe('subject-grouped folds', () => {
  it('leave-one-subject-out: one fold per subject; train and test never share a subject; every subject is tested once', () => {
    const subjects = ['SA02', 'SA01', 'SE06', 'SE01'];
    const folds = buildFolds('loso', subjects);
    expect(folds.map((f) => f.name)).toEqual(['SA01', 'SA02', 'SE01', 'SE06']);
    for (const fold of folds) {
      expect(fold.test).toHaveLength(1);
      expect(fold.train.filter((s) => fold.test.includes(s))).toEqual([]);
      expect([...fold.train, ...fold.test].sort()).toEqual([...subjects].sort());
    }
    expect(folds.flatMap((f) => f.test).sort()).toEqual([...subjects].sort());
  });

  it('a named split keeps only the subjects present on each side', () => {
    const folds = buildFolds('split', ['100', '101', '106', '200'], { name: 'ds1-ds2', train: ['101', '106', '999'], test: ['100', '200'] });
    expect(folds).toEqual([{ name: 'ds1-ds2', train: ['101', '106'], test: ['100', '200'] }]);
  });

  it('refuses folds that cannot be evaluated', () => {
    expect(() => buildFolds('loso', ['SA01'])).toThrow(/at least 2 subjects/);
    expect(() => buildFolds('split', ['100'], { name: 's', train: ['101'], test: ['100'] })).toThrow(/no training subject/);
  });
});

describe('class balance', () => {
  it('weights are n / (k · n_i) (MicroNAS), so each class carries the same total weight', () => {
    const counts = [900, 100];
    const weights = classWeights(counts);
    expect(weights[0]).toBeCloseTo(1000 / (2 * 900), 12);
    expect(weights[1]).toBeCloseTo(5, 12);
    expect(weights[0] * counts[0]).toBeCloseTo(weights[1] * counts[1], 9);
  });

  it('absent classes get weight 0 and do not count in k or in the imbalance ratio', () => {
    expect(classWeights([30, 0, 10])).toEqual([40 / 60, 0, 2]);
    expect(imbalanceRatio([30, 0, 10])).toBe(3);
    expect(imbalanceRatio([30, 0])).toBeNull();
  });
});
