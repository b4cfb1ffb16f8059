import { describe, expect, it } from 'vitest';
import { accuracyCoverage, binaryNll, brierScore, expectedCalibrationError } from './calibration-metrics';

const p = [0.1, 0.4, 0.8, 0.9];
const y = [0, 1, 1, 1];

describe('calibration metrics on a known small example', () => {
  it('Brier is the mean squared error of the probability', () => {
    expect(brierScore(p, y)).toBeCloseTo((0.01 + 0.36 + 0.04 + 0.01) / 4, 15);
  });

  it('NLL is the mean −log likelihood of the outcomes, clipped so a certain mistake stays finite', () => {
    expect(binaryNll(p, y)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.8) + Math.log(0.9)) / 4, 15);
    expect(binaryNll([0], [1])).toBeCloseTo(-Math.log(1e-15), 10);
  });

  it('ECE with 15 bins: one window per bin here, so the mean |p − y|', () => {
    const { ece, bins } = expectedCalibrationError(p, y);
    expect(ece).toBeCloseTo((0.1 + 0.6 + 0.2 + 0.1) / 4, 15);
    expect(bins).toHaveLength(15);
    expect(bins.filter((b) => b.count > 0).map((b) => [b.lower, b.count, b.meanP, b.frequency])).toEqual([
      [1 / 15, 1, 0.1, 0],
      [6 / 15, 1, 0.4, 1],
      [12 / 15, 1, 0.8, 1],
      [13 / 15, 1, 0.9, 1],
    ]);
  });

  it('ECE is 0 for a calibrated predictor and puts p = 1 in the last bin', () => {
    // In the bin of 0.75: three events out of four.
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [1, 1, 1, 0]).ece).toBeCloseTo(0, 15);
    expect(expectedCalibrationError([1], [1]).bins[14].count).toBe(1);
  });

  it('ECE weighs bins by their share of windows', () => {
    // Bin of 0.2: 3 windows, mean p 0.2, frequency 1/3 → gap 2/15; bin of 0.9: 1 window, gap 0.1.
    expect(expectedCalibrationError([0.2, 0.2, 0.2, 0.9], [1, 0, 0, 1]).ece).toBeCloseTo((3 / 4) * (1 / 3 - 0.2) + (1 / 4) * 0.1, 15);
  });
});

describe('accuracy vs coverage', () => {
  it('keeps the most certain windows first', () => {
    const uncertainty = [0.9, 0.1, 0.5, 0.2, 0.7];
    const correct = [0, 1, 1, 1, 0];
    expect(accuracyCoverage(uncertainty, correct, [0.2, 0.6, 1])).toEqual([
      { coverage: 0.2, windows: 1, accuracy: 1 },
      { coverage: 0.6, windows: 3, accuracy: 1 },
      { coverage: 1, windows: 5, accuracy: 0.6 },
    ]);
  });
});
