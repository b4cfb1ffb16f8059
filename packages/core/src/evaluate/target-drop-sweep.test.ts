import { describe, expect, it } from 'vitest';
import { PredictionSet } from '../train/cascade/predictions';
import { enumerateOperatingPoints } from '../train/cascade/thresholds';
import { aggregateTargetDropSweep, sweepTargetDrops, type FoldTargetDropSweep } from './target-drop-sweep';

/** A one-event exit over `cls` decisions with uncertainties `u`. */
function exit(cls: number[], u: number[]): PredictionSet {
  const set = new PredictionSet(cls.length, 1, false);
  cls.forEach((c, i) => {
    set.cls[i] = c;
    set.uncertainty[i] = u[i];
  });
  return set;
}

describe('sweepTargetDrops', () => {
  it('by hand: the shallow exit errs on one window of four: with no budget every window goes deep, with 0.5 every window leaves early', () => {
    // Validation: the deep exit is always right; the shallow one is sure (u 0.1) of windows 0–2 and wrong on 2.
    const truth = Uint8Array.of(1, 0, 1, 0);
    const validation = enumerateOperatingPoints([exit([1, 0, 0, 0], [0.1, 0.1, 0.1, 0.9]), exit([1, 0, 1, 0], [0, 0, 0, 0])], truth, [10, 100]);
    // Test: the same pattern.
    const test = { exits: [exit([1, 0, 0, 0], [0.1, 0.1, 0.1, 0.9]), exit([1, 0, 1, 0], [0, 0, 0, 0])], truth };
    const sweep = sweepTargetDrops(validation, test, [10, 100], [0, 0.5], 0.5);
    expect(sweep.deployedTargetDrop).toBe(0.5);
    expect(sweep.hasEvents).toBe(true);
    expect(sweep.deep).toEqual({ eventF1: 1, accuracy: 1, expectedMacs: 100 });
    expect(sweep.rows[0]).toMatchObject({ targetDrop: 0, eventF1: 1, accuracy: 1, expectedMacs: 100 });
    // With 0.5 allowed, threshold 0.9 (the lowest that takes them all) is feasible: every window leaves at the shallow exit, F1 2/3 (precision 1,
    // recall 1/2), accuracy 3/4, within 0.5 of the deep exit's 1 and 1.
    expect(sweep.rows[1].targetDrop).toBe(0.5);
    expect(sweep.rows[1].eventF1).toBeCloseTo(2 / 3, 12);
    expect(sweep.rows[1].accuracy).toBe(0.75);
    expect(sweep.rows[1].thresholds).toEqual([0.9]);
    expect(sweep.rows[1].expectedMacs).toBe(10);
  });
});

describe('aggregateTargetDropSweep', () => {
  it('spreads F1 and its gap over folds with events, MACs over all folds, the highest MAC share being the worst', () => {
    const fold = (hasEvents: boolean, deepF1: number, rows: [number, number][]): FoldTargetDropSweep => ({
      hasEvents,
      deep: { eventF1: deepF1, accuracy: 1, expectedMacs: 200 },
      deployedTargetDrop: 0.01,
      rows: rows.map(([eventF1, expectedMacs], i) => ({ targetDrop: i / 100, thresholds: [i], eventF1, accuracy: 0.9, expectedMacs })),
    });
    const rows = aggregateTargetDropSweep([
      {
        fold: 'A',
        targetDropSweep: fold(true, 0.8, [
          [0.8, 200],
          [0.7, 100],
        ]),
      },
      {
        fold: 'B',
        targetDropSweep: fold(true, 0.6, [
          [0.6, 200],
          [0.58, 60],
        ]),
      },
      {
        fold: 'C',
        targetDropSweep: fold(false, 0, [
          [0, 200],
          [0, 40],
        ]),
      },
      { fold: 'D', targetDropSweep: null },
    ]);
    expect(rows.map((r) => r.targetDrop)).toEqual([0, 0.01]);
    expect(rows[1].eventF1.folds).toBe(2);
    expect(rows[1].eventF1.mean).toBeCloseTo(0.64, 12);
    expect(rows[1].gapToDeepExit.mean).toBeCloseTo(-0.06, 12);
    expect(rows[1].gapToDeepExit.worst).toEqual({ fold: 'A', value: expect.closeTo(-0.1, 12) as number });
    expect(rows[1].macsShare.folds).toBe(3);
    expect(rows[1].macsShare.mean).toBeCloseTo((0.5 + 0.3 + 0.2) / 3, 12);
    expect(rows[1].macsShare.worst).toEqual({ fold: 'A', value: 0.5 });
    expect(rows[0].gapToDeepExit.mean).toBe(0);
  });
});
