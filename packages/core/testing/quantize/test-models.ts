/**
 * Models for the quantisation tests: IRs covering every layer kind (batch-norm folding, fused and standalone
 * activations, strides, padding, GRUs, a cascade), trained-looking weights from the engine's own initialisation with
 * non-zero biases and batch-norm affines, and z-scored-looking windows.
 */
import { Random } from '../../src/common/random';
import type { Layer, ModelIR, Shape } from '../../src/model/ir';
import { inferShapes, layerOutputShape } from '../../src/model/shapes';
import { Network } from '../../src/train/network';
import type { CascadeWeights } from '../../src/quantize/model-weights';

const conv = (filters: number, kernel: number, stride: number, padding: 'same' | 'valid', activation: 'none' | 'relu' | 'relu6'): Layer => ({
  kind: 'conv1d',
  filters,
  kernel,
  stride,
  padding,
  activation,
});

export const TEST_MODELS: Record<string, ModelIR> = {
  /** conv + batch-norm + ReLU folded/fused, max-pool, depthwise ReLU6 stride 2, pointwise + BN, standalone ReLU after a pool. */
  cnn: {
    input: { length: 32, channels: 3 },
    layers: [
      conv(8, 5, 1, 'same', 'none'),
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu6' },
      { kind: 'pointwise1d', filters: 12, activation: 'none' },
      { kind: 'batchnorm' },
      { kind: 'avgpool1d', pool: 2, stride: 1 },
      { kind: 'relu' },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 3, activation: 'none' },
    ],
    head: 'softmax',
  },
  /** valid convs with stride, a depthwise valid, dense on a [T, C] flattening, dense after dense with ReLU6. */
  dense: {
    input: { length: 20, channels: 4 },
    layers: [
      conv(6, 3, 2, 'valid', 'relu'),
      { kind: 'depthwise1d', kernel: 2, stride: 1, padding: 'valid', activation: 'none' },
      { kind: 'batchnorm' },
      { kind: 'relu6' },
      { kind: 'dense', units: 10, activation: 'relu6' },
      { kind: 'dense', units: 1, activation: 'none' },
    ],
    head: 'sigmoid',
  },
  /** conv front end, a GRU returning sequences, a GRU returning its last state, a dense head. */
  gru: {
    input: { length: 24, channels: 6 },
    layers: [
      conv(8, 3, 2, 'same', 'relu'),
      { kind: 'gru', units: 8, returnSequences: true },
      { kind: 'gru', units: 6, returnSequences: false },
      { kind: 'dense', units: 1, activation: 'none' },
    ],
    head: 'sigmoid',
  },
  /** An evidential cascade: two early exits on a conv backbone, two events. */
  cascade: {
    input: { length: 16, channels: 2 },
    layers: [
      conv(6, 3, 1, 'same', 'relu'),
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      conv(8, 3, 1, 'same', 'none'),
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      conv(8, 3, 1, 'same', 'relu'),
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 4, activation: 'relu' },
    ],
    head: 'evidential',
    events: 2,
    exits: [
      { after: 1, layers: [{ kind: 'globalavgpool' }, { kind: 'dense', units: 4, activation: 'relu' }] },
      {
        after: 5,
        layers: [{ kind: 'pointwise1d', filters: 6, activation: 'relu' }, { kind: 'globalavgpool' }, { kind: 'dense', units: 4, activation: 'relu' }],
      },
    ],
  },
};

/** The evidential cascade with exp evidence (model/evidence.ts): linear evidence layers, a table per exit in firmware. */
TEST_MODELS.expCascade = {
  ...TEST_MODELS.cascade,
  evidence: 'exp',
  layers: TEST_MODELS.cascade.layers.map((l, i, all) => (i === all.length - 1 ? { kind: 'dense', units: 4, activation: 'none' } : l)),
  exits: TEST_MODELS.cascade.exits!.map((exit) => ({
    ...exit,
    layers: exit.layers.map((l, i, all) => (i === all.length - 1 ? { kind: 'dense', units: 4, activation: 'none' } : l)),
  })),
};

/** A plain model's initial weights from the engine, with biases, γ and β made non-trivial. */
export function testWeights(ir: ModelIR, seed: number): number[][] {
  const network = new Network({ ...ir, exits: [] });
  network.init(seed);
  const random = new Random(seed ^ 0x5eed);
  return network.exportWeights().map((params, i) => perturb(ir.layers[i], params, random));
}

/** Cascade weights: the backbone as testWeights, each exit head initialised on its tap's shape. */
export function testCascadeWeights(ir: ModelIR, seed: number): CascadeWeights {
  const shapes = inferShapes(ir);
  return {
    backbone: testWeights(ir, seed),
    exits: (ir.exits ?? []).map((exit, k) => {
      const [length, channels] = shapes[exit.after];
      return testWeights({ input: { length, channels }, layers: exit.layers, head: ir.head, events: ir.events, evidence: ir.evidence }, seed + 100 * (k + 1));
    }),
  };
}

/** The plain model that computes exit k of a cascade (its backbone up to the tap, then the exit's layers). */
export function exitAsPlainModel(ir: ModelIR, weights: CascadeWeights, exit: number): { ir: ModelIR; weights: number[][] } {
  const branch = (ir.exits ?? [])[exit];
  return {
    ir: { input: ir.input, layers: [...ir.layers.slice(0, branch.after + 1), ...branch.layers], head: ir.head, events: ir.events, evidence: ir.evidence },
    weights: [...weights.backbone.slice(0, branch.after + 1), ...weights.exits[exit]],
  };
}

/** Windows that look z-scored: a slow sine per channel plus noise, roughly unit variance. */
export function testWindows(ir: ModelIR, count: number, seed: number): Float64Array[] {
  const random = new Random(seed);
  const { length, channels } = ir.input;
  return Array.from({ length: count }, () => {
    const phase = Array.from({ length: channels }, () => random.next() * 2 * Math.PI);
    const frequency = Array.from({ length: channels }, () => 0.05 + 0.3 * random.next());
    return Float64Array.from({ length: length * channels }, (_, i) => {
      const t = Math.floor(i / channels);
      const c = i % channels;
      return Math.SQRT2 * Math.sin(frequency[c] * t + phase[c]) * 0.8 + (random.next() + random.next() + random.next() - 1.5) * 0.9;
    });
  });
}

function perturb(layer: Layer, params: number[], random: Random): number[] {
  const result = [...params];
  if (layer.kind === 'batchnorm') {
    const channels = params.length / 2;
    for (let c = 0; c < channels; c++) {
      result[c] = 0.5 + random.next(); // γ in [0.5, 1.5)
      result[channels + c] = (random.next() - 0.5) * 0.6; // β
    }
    return result;
  }
  const biasCount =
    layer.kind === 'gru'
      ? 6 * layer.units
      : layer.kind === 'conv1d' || layer.kind === 'pointwise1d'
        ? layer.filters
        : layer.kind === 'dense'
          ? layer.units
          : layer.kind === 'depthwise1d'
            ? params.length / (layer.kernel + 1)
            : 0;
  for (let i = params.length - biasCount; i < params.length; i++) result[i] = (random.next() - 0.5) * 0.4;
  return result;
}

/**
 * A random small IR over every layer kind: conv1d / depthwise1d (same or valid, strides 1–2), pointwise1d, pools,
 * GRUs (sequences in the middle), dense on a [T, C] flattening, batch-norms after linear layers without activation
 * (sometimes two), ReLU/ReLU6 both fused and standalone, ending in a sigmoid, softmax or evidential head.
 */
export function randomTestIR(random: Random): ModelIR {
  const input = { length: 6 + random.int(20), channels: 1 + random.int(5) };
  const layers: Layer[] = [];
  let length = input.length;
  const activation = () => random.pick(['none', 'relu', 'relu6'] as const);
  const afterLinear = (act: 'none' | 'relu' | 'relu6') => {
    if (act !== 'none') return;
    const batchNorms = random.int(3);
    for (let i = 0; i < batchNorms; i++) layers.push({ kind: 'batchnorm' });
    if (random.int(2) === 0) layers.push({ kind: random.pick(['relu', 'relu6'] as const) });
  };
  const blocks = 1 + random.int(4);
  for (let b = 0; b < blocks; b++) {
    const choice = random.int(length > 2 ? 8 : 4);
    if (choice === 0 || choice === 4) {
      const padding = length >= 3 && random.int(2) === 0 ? 'valid' : 'same';
      const kernel = 1 + random.int(padding === 'valid' ? Math.min(5, length) : 5);
      const stride = 1 + random.int(2);
      const act = activation();
      layers.push({ kind: 'conv1d', filters: 2 + random.int(7), kernel, stride, padding, activation: act });
      afterLinear(act);
    } else if (choice === 1 || choice === 5) {
      const act = activation();
      layers.push({ kind: 'pointwise1d', filters: 2 + random.int(8), activation: act });
      afterLinear(act);
    } else if (choice === 2) {
      const act = activation();
      layers.push({ kind: 'depthwise1d', kernel: 1 + random.int(3), stride: 1 + random.int(2), padding: 'same', activation: act });
      afterLinear(act);
    } else if (choice === 3) {
      layers.push({ kind: 'gru', units: 2 + random.int(6), returnSequences: true });
      if (random.int(3) === 0) layers.push({ kind: 'relu' });
    } else if (choice === 6) {
      layers.push({ kind: random.pick(['maxpool1d', 'avgpool1d'] as const), pool: 2, stride: 1 + random.int(2) });
      if (random.int(3) === 0) layers.push({ kind: 'relu6' });
    } else {
      const act = activation();
      layers.push({ kind: 'dense', units: 3 + random.int(8), activation: act });
      afterLinear(act);
    }
    length = layers.reduce<Shape>((shape, layer, i) => layerOutputShape(layer, shape, i), [input.length, input.channels])[0];
  }
  if (length > 1) layers.push(random.int(3) === 0 ? { kind: 'gru', units: 2 + random.int(6), returnSequences: false } : { kind: 'globalavgpool' });
  const head = random.pick(['sigmoid', 'softmax', 'evidential'] as const);
  const units = head === 'sigmoid' ? 1 : head === 'softmax' ? 3 : 4;
  layers.push({ kind: 'dense', units, activation: head === 'evidential' ? 'relu' : 'none' });
  return head === 'evidential' ? { input, layers, head, events: 2 } : { input, layers, head };
}
