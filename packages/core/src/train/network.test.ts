import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import type { ModelIR } from '../model/ir';
import { referenceCnn } from '../../testing/reference-models';
import { headLoss } from './losses';
import { Network } from './network';
import { buildTfjsModel } from '../../testing/tfjs-oracle/model';

/**
 * Whole networks against tfjs: the class-weighted loss of a small batch and its gradient w.r.t. every parameter,
 * ours (float64, per-sample backward, summed) vs tfjs autodiff of the same IR built from tfjs ops (float32), same
 * weights. Tolerance 1e-6 absolute, for the reason given in kernels/gradients.test.ts.
 */
const TOLERANCE = 1e-6;

const dsconvSoftmax: ModelIR = {
  input: { length: 24, channels: 6 },
  layers: [
    { kind: 'pointwise1d', filters: 16, activation: 'none' },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'depthwise1d', kernel: 3, stride: 1, padding: 'same', activation: 'relu6' },
    { kind: 'pointwise1d', filters: 32, activation: 'relu' },
    { kind: 'avgpool1d', pool: 2, stride: 2 },
    { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'valid', activation: 'relu' },
    { kind: 'maxpool1d', pool: 2, stride: 1 },
    { kind: 'globalavgpool' },
    { kind: 'dense', units: 3, activation: 'none' },
  ],
  head: 'softmax',
};

const convGru: ModelIR = {
  input: { length: 20, channels: 6 },
  layers: [
    { kind: 'conv1d', filters: 8, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    { kind: 'gru', units: 8, returnSequences: false },
    { kind: 'dense', units: 1, activation: 'none' },
  ],
  head: 'sigmoid',
};

const gruSequences: ModelIR = {
  input: { length: 12, channels: 6 },
  layers: [{ kind: 'gru', units: 6, returnSequences: true }, { kind: 'globalavgpool' }, { kind: 'dense', units: 2, activation: 'none' }],
  head: 'softmax',
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function float32Network(ir: ModelIR, seed: number): Network {
  const network = new Network(ir);
  network.init(seed);
  // Biases start at zero; make them matter, then round everything to float32 so both engines see the same numbers.
  const random = new Random(seed + 1);
  network.importWeights(network.exportWeights().map((layer) => layer.map((v) => Math.fround(v === 0 ? (random.next() - 0.5) * 0.2 : v))));
  return network;
}

function compareWithTfjs(ir: ModelIR, seed: number) {
  const network = float32Network(ir, seed);
  const random = new Random(seed + 2);
  const batch = 4;
  const size = ir.input.length * ir.input.channels;
  const units = network.outputShape[1];
  const samples = Array.from({ length: batch }, () => Float64Array.from({ length: size }, () => Math.fround(random.next() * 3 - 1.5)));
  const labels = [0, 1, 0, 1].map((l, i) => (ir.head === 'sigmoid' ? l : (l + i) % units));
  const classWeights = ir.head === 'sigmoid' ? [0.6, 3] : [0.7, 1.5, 2];

  network.zeroGrads();
  const logitGrad = new Float64Array(units);
  let loss = 0;
  samples.forEach((sample, i) => {
    const logits = network.forward(sample, true);
    loss += headLoss(ir.head, logits, labels[i], classWeights[labels[i]], logitGrad);
    network.backward(logitGrad);
  });
  loss /= batch;
  const ours = network.grads.map((g) => Array.from(g, (v) => v / batch));

  const model = buildTfjsModel(tf, ir, network.exportWeights());
  const x = tf.tensor3d(Float32Array.from(samples.flatMap((s) => Array.from(s))), [batch, ir.input.length, ir.input.channels]);
  const w = tf.tensor1d(labels.map((l) => classWeights[l]));
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x);
    if (ir.head === 'sigmoid') {
      const z = tf.reshape(logits, [-1]);
      const y = tf.tensor1d(labels);
      return tf.mean<tf.Scalar>(tf.mul(w, tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))));
    }
    const picked = tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), units), tf.logSoftmax(logits)), 1);
    return tf.mean<tf.Scalar>(tf.mul(w, tf.neg(picked)));
  }, model.variables.flat());
  const reference = model.variables.map((vars) => vars.flatMap((v) => Array.from(grads[v.name].dataSync())));
  const lossDiff = Math.abs(value.dataSync()[0] - loss);
  let gradDiff = 0;
  let gradScale = 0;
  ours.forEach((layer, i) => {
    expect(layer.length).toBe(reference[i].length);
    layer.forEach((v, j) => {
      gradDiff = Math.max(gradDiff, Math.abs(v - reference[i][j]));
      gradScale = Math.max(gradScale, Math.abs(v));
    });
  });
  model.dispose();
  tf.dispose([x, w, value, ...Object.values(grads)]);
  return { lossDiff, gradDiff, gradScale };
}

describe('whole-network loss gradients against tfjs', () => {
  it.each([
    ['reference CNN (conv 16 k5, max-pool 2, conv 32 k5, GAP, dense 1), weighted BCE', referenceCnn(), 11],
    ['depthwise-separable net with batch-norm, ReLU6, pools, softmax', dsconvSoftmax, 12],
    ['conv front end + GRU(8) + dense, weighted BCE', convGru, 13],
    ['GRU returning sequences + GAP + softmax', gruSequences, 14],
  ] as const)('%s', (_name, ir, seed) => {
    const { lossDiff, gradDiff, gradScale } = compareWithTfjs(ir, seed);
    if (process.env.NX_TINYML_PRINT_GRADIENT_DIFFS)
      console.log(`${_name}: loss ${lossDiff.toExponential(1)}, gradients ${gradDiff.toExponential(1)} (largest ${gradScale.toFixed(3)})`);
    expect(gradScale).toBeGreaterThan(1e-3);
    expect(lossDiff).toBeLessThanOrEqual(TOLERANCE);
    expect(gradDiff).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('Network', () => {
  it('initialises deterministically per seed, each layer from its own stream', () => {
    const a = new Network(referenceCnn());
    const b = new Network(referenceCnn());
    a.init(5);
    b.init(5);
    expect(a.exportWeights()).toEqual(b.exportWeights());
    b.init(6);
    expect(a.exportWeights()[0]).not.toEqual(b.exportWeights()[0]);
    // a wider first layer leaves the second conv's initial weights unchanged
    const wider = referenceCnn();
    wider.layers[0] = { kind: 'conv1d', filters: 16, kernel: 7, stride: 1, padding: 'same', activation: 'relu' };
    const c = new Network(wider);
    c.init(5);
    expect(c.exportWeights()[2]).toEqual(a.exportWeights()[2]);
  });

  it('exports plain JSON that imports back exactly', () => {
    const a = new Network(dsconvSoftmax);
    a.init(9);
    const json = JSON.stringify(a.exportWeights());
    const b = new Network(dsconvSoftmax);
    b.importWeights(JSON.parse(json));
    const sample = Float64Array.from({ length: 24 * 6 }, (_, i) => Math.sin(i));
    expect(Array.from(b.forward(sample))).toEqual(Array.from(a.forward(sample)));
    expect(() => b.importWeights(a.exportWeights().slice(1))).toThrow(/layers/);
  });

  it('rejects an IR the model rules reject', () => {
    expect(() => new Network({ ...referenceCnn(), head: 'softmax' })).toThrow(/softmax/);
  });
});
