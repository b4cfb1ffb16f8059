import { describe, expect, it } from 'vitest';
import { quantizationErrors } from './error-report';
import { quantizeModel } from './ptq';
import { TEST_MODELS, testCascadeWeights, testWindows } from '../../testing/quantize/test-models';

describe('quantizationErrors (per-tensor error of the int8 model against its float op list)', () => {
  const ir = TEST_MODELS.cascade;
  const weights = testCascadeWeights(ir, 5);
  const windows = testWindows(ir, 64, 1);
  const model = quantizeModel(ir, weights, windows);
  const errors = quantizationErrors(model, weights, windows);

  it('names every tensor with the op that writes it', () => {
    expect(errors.map((e) => [e.tensor, e.op, e.kind])).toEqual(
      model.tensors.map((_, t) => [t, t === 0 ? null : t - 1, t === 0 ? 'input' : model.ops[t - 1].kind]),
    );
  });

  it('on the calibration windows: the input within half a step (rounding only), every layer within 5 steps, mean under 1', () => {
    expect(errors[0].maxSteps).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(errors[0].maxSteps).toBeGreaterThan(0.45);
    for (const error of errors) {
      expect(error.maxSteps).toBeLessThanOrEqual(5);
      expect(error.meanSteps).toBeLessThan(1);
      expect(error.maxAbsolute).toBeCloseTo(error.maxSteps * model.tensors[error.tensor].scale, 9);
    }
  });

  it('shows where an outlying window saturates: beyond the calibrated range the input error grows', () => {
    const outlier = windows[0].map((v) => 3 * v);
    expect(quantizationErrors(model, weights, [outlier])[0].maxSteps).toBeGreaterThan(10);
  });
});
