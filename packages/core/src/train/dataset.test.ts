import { describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import { FoldData, proportionalSubsample, subsample } from './dataset';
import { syntheticWindowStore } from '../../testing/train/synthetic-store';

const store = syntheticWindowStore({ subjects: 8, windowsPerSubject: 60, subjectsWithoutFalls: [1, 2], seed: 3 });

describe('FoldData', () => {
  it('splits by subject: the test subject is never trained on or validated on; validation comes from training subjects with falls', () => {
    for (let fold = 0; fold < 8; fold++) {
      for (const seed of [0, 1, 2]) {
        const data = new FoldData(store, { fold, seed, validationSubjects: 2 });
        const test = store.manifest.folds[fold].test;
        expect(data.testSubjects).toEqual(test);
        expect(data.validationSubjects).toHaveLength(2);
        for (const s of data.validationSubjects) {
          expect(test).not.toContain(s);
          expect(data.trainSubjects).not.toContain(s);
          expect(['S02', 'S03']).not.toContain(s); // the subjects without falls are not picked for validation
        }
        expect([...data.trainSubjects, ...data.validationSubjects, ...data.testSubjects].sort()).toEqual(store.manifest.subjects.map((s) => s.id));
        const subjectOf = (w: number) => store.manifest.subjects[store.windowSubject[w]].id;
        for (const w of data.train) expect(data.trainSubjects).toContain(subjectOf(w));
        for (const w of data.validation) expect(data.validationSubjects).toContain(subjectOf(w));
        for (const w of data.test) expect(test).toContain(subjectOf(w));
        expect(data.train.length + data.validation.length + data.test.length).toBe(480);
      }
    }
  });

  it('picks validation subjects deterministically from the seed, and accepts a fold name', () => {
    const a = new FoldData(store, { fold: 'S05', seed: 7 });
    const b = new FoldData(store, { fold: 4, seed: 7 });
    expect(a.validationSubjects).toEqual(b.validationSubjects);
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    const picks = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => new FoldData(store, { fold: 0, seed }).validationSubjects.join()));
    expect(picks.size).toBeGreaterThan(1);
    expect(() => new FoldData(store, { fold: 'nobody' })).toThrow(/does not exist/);
  });

  it('by default validates on 2 subjects, but on at most a third of the training subjects (at least 1)', () => {
    expect(new FoldData(store, { fold: 0 }).validationSubjects).toHaveLength(2); // 7 training subjects
    const four = syntheticWindowStore({ subjects: 4, windowsPerSubject: 20 });
    const data = new FoldData(four, { fold: 0 }); // 3 training subjects, like the committed SisFall sample
    expect(data.validationSubjects).toHaveLength(1);
    expect(data.trainSubjects).toHaveLength(2);
  });

  it('keeps at least one training subject and allows no validation at all', () => {
    const small = syntheticWindowStore({ subjects: 3, windowsPerSubject: 20 });
    expect(new FoldData(small, { fold: 0, validationSubjects: 5 }).trainSubjects).toHaveLength(1);
    const none = new FoldData(store, { fold: 0, validationSubjects: 0 });
    expect(none.validation.length).toBe(0);
    expect(none.trainSubjects).toHaveLength(7);
  });

  it('with a single training subject (ECG5000: "train" / "test"), validates on a stratified fifth of its windows', () => {
    const two = syntheticWindowStore({ subjects: 2, windowsPerSubject: 100, fallEvery: 5 });
    const data = new FoldData(two, { fold: 0, seed: 3 });
    expect(data.trainSubjects).toEqual(data.validationSubjects);
    expect(data.validation.length).toBe(20);
    expect(data.train.length).toBe(80);
    expect(data.train.some((w) => data.validation.includes(w))).toBe(false);
    expect(data.counts(data.validation)).toEqual([16, 4]);
    expect([...new FoldData(two, { fold: 0, seed: 3 }).validation]).toEqual([...data.validation]);
    expect(new FoldData(two, { fold: 0, validationSubjects: 0 }).validation.length).toBe(0);
  });

  it('validationBy windows: every training subject trains and validates, on disjoint windows, a stratified fifth held out', () => {
    const data = new FoldData(store, { fold: 0, seed: 4, validationBy: 'windows' });
    const pool = store.manifest.folds[0].train;
    expect(data.validationSubjects).toEqual([...pool].sort());
    expect(data.trainSubjects).toEqual([...pool].sort());
    const train = new Set(data.train);
    for (const w of data.validation) expect(train.has(w)).toBe(false);
    const subjectOf = (w: number) => store.manifest.subjects[store.windowSubject[w]].id;
    const validated = new Set(Array.from(data.validation, subjectOf));
    expect(validated.size).toBe(pool.length);
    // 7 subjects × 60 windows, 6 of them falls in each of the 5 with falls: a fifth of each class.
    const [adl, falls] = data.counts(data.validation);
    expect(falls).toBe(Math.round(30 * 0.2));
    expect(adl).toBe(Math.round(390 * 0.2));
    for (const w of data.test) expect(pool).not.toContain(subjectOf(w));
  });

  it('fills a window z-scored with the fold statistics', () => {
    const data = new FoldData(store, { fold: 0 });
    const { mean, std } = store.manifest.folds[0].normalization;
    const w = data.test[5];
    const out = new Float64Array(data.windowSize);
    data.fill(w, out);
    const start = store.windowStart[w];
    for (const [t, c] of [
      [0, 0],
      [7, 2],
      [119, 5],
    ]) {
      expect(out[t * 6 + c]).toBeCloseTo((store.signals[(start + t) * 6 + c] - mean[c]) / std[c], 12);
    }
  });

  it('subsamples training windows stratified: the minority class whole when it fits, the rest from the majority', () => {
    const full = new FoldData(store, { fold: 0, validationSubjects: 1 });
    const [adl, falls] = full.counts(full.train);
    const capped = new FoldData(store, { fold: 0, validationSubjects: 1, maxTrainWindows: 100 });
    expect(capped.train.length).toBe(100);
    expect(capped.counts(capped.train)).toEqual([100 - falls, falls]);
    expect(adl).toBeGreaterThan(100);
    // a cap below twice the minority gives an even split
    const tight = new FoldData(store, { fold: 0, validationSubjects: 1, maxTrainWindows: 20 });
    expect(tight.counts(tight.train)).toEqual([10, 10]);
    const again = new FoldData(store, { fold: 0, validationSubjects: 1, maxTrainWindows: 100 });
    expect(Array.from(again.train)).toEqual(Array.from(capped.train));
  });

  it('subsample leaves a list under the cap untouched and never exceeds the cap', () => {
    const labels = Uint8Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? 1 : i % 3 === 0 ? 2 : 0));
    const windows = Array.from({ length: 50 }, (_, i) => i);
    expect(Array.from(subsample(windows, labels, 3, 60, new Random(1)))).toEqual(windows);
    for (const max of [1, 5, 17, 33, 49]) {
      const kept = subsample(windows, labels, 3, max, new Random(1));
      expect(kept.length).toBe(max);
      expect(new Set(kept).size).toBe(max);
    }
  });

  it("proportionalSubsample keeps the data's class ratio (balanced sampling would give the rare class a third)", () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? 1 : i % 4 === 0 ? 2 : 0));
    const windows = Array.from({ length: 1000 }, (_, i) => i);
    const count = (kept: Uint32Array, c: number) => Array.from(kept).filter((w) => labels[w] === c).length;
    const proportional = proportionalSubsample(windows, labels, 3, 200, new Random(1));
    expect([0, 1, 2].map((c) => count(proportional, c))).toEqual([150, 10, 40]);
    expect(new Set(proportional).size).toBe(200);
    expect(Array.from(proportionalSubsample(windows, labels, 3, 200, new Random(1)))).toEqual(Array.from(proportional));
    const balanced = subsample(windows, labels, 3, 200, new Random(1));
    expect(count(balanced, 1)).toBe(50);
  });
});
