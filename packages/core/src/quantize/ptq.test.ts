import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../common/canonical-json';
import { lowerToOps } from '../model/ops';
import { quantizeInput, quantizeModel, withExitThresholds } from './ptq';
import type { QuantizedLinearOp } from './quantized-model';
import { multiplierToScale } from './requantize';
import { TEST_MODELS, testCascadeWeights, testWeights, testWindows } from '../../testing/quantize/test-models';

const cnn = TEST_MODELS.cnn;
const cnnWeights = testWeights(cnn, 3);
const calibration = testWindows(cnn, 64, 1);

describe('quantizeModel (post-training quantisation)', () => {
  it('is deterministic: the same inputs give byte-identical canonical JSON, and the model survives JSON', () => {
    const first = quantizeModel(cnn, cnnWeights, calibration);
    const second = quantizeModel(JSON.parse(JSON.stringify(cnn)), JSON.parse(JSON.stringify(cnnWeights)), testWindows(cnn, 64, 1));
    expect(canonicalJson(second)).toBe(canonicalJson(first));
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    expect(canonicalJson(quantizeModel(cnn, testWeights(cnn, 4), calibration))).not.toBe(canonicalJson(first));
  });

  it('one quantised op per deployed op, reading the same tensors', () => {
    const model = quantizeModel(cnn, cnnWeights, calibration);
    const ops = lowerToOps(cnn);
    expect(model.ops.map((op) => [op.kind, op.input, op.exit])).toEqual(ops.map((op) => [op.kind, op.input, op.exit]));
    expect(model.tensors.length).toBe(ops.length + 1);
  });

  it('weights: per-channel symmetric int8, the largest |w| of every channel at ±127; biases at s_in·s_w', () => {
    const model = quantizeModel(cnn, cnnWeights, calibration);
    for (const op of model.ops.filter((o): o is QuantizedLinearOp => 'weightScales' in o)) {
      const channels = op.outputShape[1];
      const maxAbs = new Array<number>(channels).fill(0);
      op.weights.forEach((w, i) => {
        expect(Number.isInteger(w) && w >= -127 && w <= 127).toBe(true);
        maxAbs[i % channels] = Math.max(maxAbs[i % channels], Math.abs(w));
      });
      expect(maxAbs).toEqual(new Array(channels).fill(127));
      const inputScale = model.tensors[op.input].scale;
      const outputScale = model.tensors[op.index + 1].scale;
      op.requant.multiplier.forEach((m, c) => {
        const real = (inputScale * op.weightScales[c]) / outputScale;
        expect(Math.abs(multiplierToScale({ multiplier: m, shift: op.requant.shift[c] }) / real - 1)).toBeLessThan(2 ** -30);
      });
    }
  });

  it('activations: the input from the calibration range, ReLU outputs at zero point −128, clamps from the fused activation', () => {
    const model = quantizeModel(cnn, cnnWeights, calibration);
    let min = Infinity;
    let max = -Infinity;
    for (const window of calibration) for (const v of window) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(model.tensors[0].scale).toBeCloseTo((max - min) / 255, 12);
    expect(model.calibration.ranges[0]).toEqual({ min, max });
    const [conv, , depthwise, pointwise] = model.ops as QuantizedLinearOp[];
    // conv + BN + ReLU: a ReLU output's range starts at 0, so its zero point is −128 and the clamp starts there.
    expect(model.tensors[1].zeroPoint).toBe(-128);
    expect([conv.requant.actMin, conv.requant.actMax]).toEqual([-128, 127]);
    // depthwise ReLU6: the top of the clamp is 6 in the output's steps (its range never exceeds 6).
    const six = model.tensors[3];
    expect(depthwise.requant.actMax).toBe(Math.min(127, Math.round(6 / six.scale) + six.zeroPoint));
    // pointwise + BN without activation: the full int8 range.
    expect([pointwise.requant.actMin, pointwise.requant.actMax]).toEqual([-128, 127]);
  });

  it('pools and a standalone ReLU keep their input scale and zero point; the ReLU clamps at it', () => {
    const model = quantizeModel(cnn, cnnWeights, calibration);
    const kinds = model.ops.map((op) => op.kind);
    for (const kind of ['maxpool1d', 'avgpool1d', 'relu', 'globalavgpool'] as const) {
      const op = model.ops[kinds.indexOf(kind)];
      expect(model.tensors[op.index + 1].scale).toBe(model.tensors[op.input].scale);
      expect(model.tensors[op.index + 1].zeroPoint).toBe(model.tensors[op.input].zeroPoint);
    }
    const relu = model.ops[kinds.indexOf('relu')];
    if (relu.kind !== 'relu') throw new Error('no relu op');
    const zero = model.tensors[relu.input].zeroPoint;
    expect(relu.clamp).toEqual({ inputZeroPoint: zero, outputZeroPoint: zero, actMin: zero, actMax: 127 });
  });

  it('a percentile narrows ranges that min/max stretches for an outlier', () => {
    const spiky = [...calibration.slice(1), calibration[0].map((v, i) => (i === 0 ? 40 : v))];
    const plain = quantizeModel(cnn, cnnWeights, spiky);
    const clipped = quantizeModel(cnn, cnnWeights, spiky, { percentile: 99.9 });
    expect(plain.calibration.ranges[0].max).toBe(40);
    expect(clipped.calibration.ranges[0].max).toBeLessThan(5);
    expect(clipped.tensors[0].scale).toBeLessThan(plain.tensors[0].scale / 4);
    expect(clipped.calibration.percentile).toBe(99.9);
  });

  it('quantises a window as the input tensor says: round(x / s) + z, saturated', () => {
    const model = quantizeModel(cnn, cnnWeights, calibration);
    const { scale, zeroPoint } = model.tensors[0];
    const window = new Float64Array(cnn.input.length * cnn.input.channels);
    window[0] = 1000;
    window[1] = -1000;
    window[2] = 3 * scale;
    const q = quantizeInput(model, window);
    expect([q[0], q[1], q[2], q[3]]).toEqual([127, -128, Math.min(127, zeroPoint + 3), zeroPoint]);
  });
});

describe('quantizeModel on a cascade: the exit table', () => {
  const ir = TEST_MODELS.cascade;
  const weights = testCascadeWeights(ir, 5);
  const model = quantizeModel(ir, weights, testWindows(ir, 32, 1));

  it('one row per prediction in run order: K = round(2^16 / s) of its evidence tensor; thresholds 0, the last 32768', () => {
    expect(model.exits.map((row) => [row.exit, row.tensor, row.thresholdQ15])).toEqual([
      [0, 4, 0],
      [1, 9, 0],
      [2, 12, 32768],
    ]);
    for (const row of model.exits) {
      expect(row.evidenceOneQ16).toBe(Math.round(65536 / model.tensors[row.tensor].scale));
      expect(model.tensors[row.tensor].zeroPoint).toBe(-128); // evidence comes through ReLU
    }
  });

  it('takes thresholds at quantisation or afterwards, and refuses what is not a Q15 threshold', () => {
    expect(quantizeModel(ir, weights, testWindows(ir, 32, 1), { thresholdsQ15: [100, 32768] }).exits.map((r) => r.thresholdQ15)).toEqual([100, 32768, 32768]);
    expect(withExitThresholds(model, [5000, 6000]).exits.map((r) => r.thresholdQ15)).toEqual([5000, 6000, 32768]);
    expect(() => withExitThresholds(model, [1])).toThrow(/1 thresholds for 2 early exits/);
    expect(() => withExitThresholds(model, [1.5, 0])).toThrow(/integer in \[0, 32768\]/);
    expect(() => withExitThresholds(model, [40000, 0])).toThrow(/integer in \[0, 32768\]/);
  });

  it('has no exit table for a model without an evidential head', () => {
    expect(quantizeModel(cnn, cnnWeights, calibration).exits).toEqual([]);
  });
});
