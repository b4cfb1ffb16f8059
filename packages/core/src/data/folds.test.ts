import { describe, expect, it } from 'vitest';
import { buildFolds, classWeights, describeFolds, imbalanceRatio, stratifiedGroups } from './folds';

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

  it('stratified: recordings dealt class by class, so every fold holds each class within one recording of the others', () => {
    const groupOf = stratifiedGroups(3);
    const labels = ['n', 'n', 'a', 'n', 'a', 'n', 'n', 'a', 'n', 'n'];
    const groups = labels.map(groupOf);
    expect(groups).toEqual(['fold1', 'fold2', 'fold1', 'fold3', 'fold2', 'fold1', 'fold2', 'fold3', 'fold3', 'fold1']);
    for (const label of ['n', 'a']) {
      const perFold = ['fold1', 'fold2', 'fold3'].map((g) => labels.filter((l, i) => l === label && groups[i] === g).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
    // Each group is then held out once, as a subject would be.
    expect(buildFolds('stratified', ['fold2', 'fold1', 'fold3']).map((f) => [f.name, f.train.join('+')])).toEqual([
      ['fold1', 'fold2+fold3'],
      ['fold2', 'fold1+fold3'],
      ['fold3', 'fold1+fold2'],
    ]);
    expect(stratifiedGroups(10)('x')).toBe('fold01');
    expect(describeFolds({ scheme: 'stratified', k: 5 }, [])).toMatch(/^stratified 5-fold .*no subject ids/);
  });

  it('refuses folds that cannot be evaluated', () => {
    expect(() => buildFolds('stratified', ['fold1'])).toThrow(/at least 2 folds/);
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
