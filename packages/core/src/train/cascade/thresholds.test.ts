import { describe, expect, it } from 'vitest';
import { applyThresholds, PredictionSet, writeEvidential } from './predictions';
import { calibrateThresholds, operatingPoint, thresholdCandidates } from './thresholds';

/** Per exit, per window: evidence [e⁺, e⁻] of one event. */
function exitsFrom(evidence: [number, number][][]): PredictionSet[] {
  return evidence.map((windows) => {
    const set = new PredictionSet(windows.length, 1);
    windows.forEach((e, i) => writeEvidential(e, set, i));
    return set;
  });
}

// Four windows, truth: event, none, event, none. The shallow exit is right and sure on windows 0 and 1, right but
// unsure on 2, wrong and unsure on 3; the medium exit is wrong on 3 too; the deep exit is right everywhere.
const truth = Uint8Array.from([1, 0, 1, 0]);
const exits = exitsFrom([
  [
    [30, 0],
    [0, 30],
    [2, 1],
    [1, 0],
  ],
  [
    [30, 0],
    [0, 30],
    [9, 1],
    [3, 0],
  ],
  [
    [30, 0],
    [0, 30],
    [9, 1],
    [0, 9],
  ],
]);
const macs = [100, 250, 1000];

describe('the cascade exit rule (max_j u_j ≤ τ_k)', () => {
  it('threshold 0 sends every window to the deep exit', () => {
    expect([...(applyThresholds(exits, [0, 0]).exit as Uint8Array)]).toEqual([2, 2, 2, 2]);
  });

  it('threshold 1 exits everything at the shallow exit (u never exceeds 1)', () => {
    const fully = exitsFrom([
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ]);
    expect(fully[0].uncertainty[0]).toBe(1);
    expect([...(applyThresholds(fully, [1]).exit as Uint8Array)]).toEqual([0, 0]);
    expect([...(applyThresholds(exits, [1, 0]).exit as Uint8Array)]).toEqual([0, 0, 0, 0]);
  });

  it('stops each window at the first exit sure enough, taking that exit’s decision', () => {
    // u = 2/32 for the sure windows, 2/5 for window 2 at the shallow exit, 2/3 for window 3.
    const set = applyThresholds(exits, [0.1, 0.2]);
    expect([...(set.exit as Uint8Array)]).toEqual([0, 0, 1, 2]);
    expect([...set.cls]).toEqual([1, 0, 1, 0]);
  });
});

describe('the exit uncertainty (train-cascade.exitUncertainty)', () => {
  it('vacuity is 2/(α+β); decision is 2/(|α−β|+2), so conflicting evidence does not look sure', () => {
    const [vacuity, decision] = (['vacuity', 'decision'] as const).map((rule) => {
      const set = new PredictionSet(3, 1);
      [
        [40, 38], // conflict: much evidence on both sides
        [8, 0], // one side: both rules agree
        [0, 0], // none
      ].forEach((e, i) => writeEvidential(e, set, i, rule));
      return set;
    });
    expect(Array.from(vacuity.uncertainty)).toEqual([2 / 80, 2 / 10, 1]);
    expect(Array.from(decision.uncertainty)).toEqual([2 / 4, 2 / 10, 1]);
    // p and the decision do not depend on the rule.
    expect(decision.p).toEqual(vacuity.p);
    expect(decision.cls).toEqual(vacuity.cls);
  });
});

describe('threshold calibration', () => {
  it('takes the cheapest thresholds that keep F1 and accuracy within the target of deep-only', () => {
    const calibration = calibrateThresholds(exits, truth, macs, 0.01);
    expect(calibration.deepOnly).toMatchObject({ eventF1: 1, accuracy: 1, rates: [0, 0, 1], expectedMacs: 1000 });
    // Windows 0–2 can leave early; window 3 must reach the deep exit to be right.
    expect(calibration.chosen.rates).toEqual([0.75, 0, 0.25]);
    expect(calibration.chosen.expectedMacs).toBe(0.75 * 100 + 0.25 * 1000);
    expect(calibration.chosen.eventF1).toBe(1);
    const point = operatingPoint(exits, truth, macs, calibration.chosen.thresholds);
    expect(point).toEqual(calibration.chosen);
  });

  it('trades accuracy for MACs when the target allows it', () => {
    const loose = calibrateThresholds(exits, truth, macs, 0.5);
    expect(loose.chosen.expectedMacs).toBe(100); // everything at the shallow exit: 3 of 4 right
    expect(loose.chosen.accuracy).toBe(0.75);
    expect(loose.front[0].expectedMacs).toBeLessThan(loose.front[loose.front.length - 1].expectedMacs);
  });

  it('tries 0, 1 and the quantiles of the observed uncertainty', () => {
    expect(thresholdCandidates([0.5, 0.2, 0.9, 0.2], 4)).toEqual([0, 0.2, 0.5, 1]);
  });
});
