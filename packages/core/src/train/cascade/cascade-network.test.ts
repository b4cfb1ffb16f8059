import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import { EXP_EVIDENCE_MAX_LOGIT, expEvidence, expEvidenceSlope } from '../../model/evidence';
import type { Layer, ModelIR } from '../../model/ir';
import { Network } from '../network';
import { CascadeNetwork } from './cascade-network';
import type { Floats } from '../wasm/arena';

const head = (units: number): Layer[] => [{ kind: 'globalavgpool' }, { kind: 'dense', units, activation: 'relu' }];

const IR: ModelIR = {
  input: { length: 12, channels: 2 },
  layers: [
    { kind: 'conv1d', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'maxpool1d', pool: 2, stride: 2 },
    { kind: 'conv1d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'none' },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'conv1d', filters: 4, kernel: 2, stride: 1, padding: 'valid', activation: 'relu' },
    ...head(4),
  ],
  head: 'evidential',
  events: 2,
  exits: [
    { after: 1, layers: head(4) },
    { after: 4, layers: [{ kind: 'pointwise1d', filters: 3, activation: 'relu' }, ...head(4)] },
  ],
};

const linearLast = (layers: readonly Layer[]): Layer[] => layers.map((l, i) => (i === layers.length - 1 ? { kind: 'dense', units: 4, activation: 'none' } : l));

/** IR with exp evidence: linear evidence layers, prediction(k) = exp(z). */
const EXP_IR: ModelIR = {
  ...IR,
  evidence: 'exp',
  layers: linearLast(IR.layers),
  exits: IR.exits!.map((exit) => ({ ...exit, layers: linearLast(exit.layers) })),
};

function sample(seed: number, n: number): Float64Array {
  const random = Random.derive(seed, 0);
  return Float64Array.from({ length: n }, () => random.next() * 2 - 1);
}

/** A loss that is linear in every prediction, L = Σ_k Σ_i c_k[i]·pred_k[i], so dL/dpred_k = c_k. */
function linearLoss(net: CascadeNetwork, coefficients: (Float64Array | null)[]): number {
  let loss = 0;
  coefficients.forEach((c, k) => {
    if (!c) return;
    const p = net.prediction(k);
    for (let i = 0; i < c.length; i++) loss += c[i] * p[i];
  });
  return loss;
}

describe('CascadeNetwork', () => {
  it('cuts the backbone at the taps: 3 segments, 2 heads, 3 predictions of 2·events evidence', () => {
    const net = new CascadeNetwork(IR);
    expect(net.segments.map((s) => s.layers.map((l) => l.kind))).toEqual([
      ['conv1d', 'maxpool1d'],
      ['conv1d', 'batchnorm', 'relu'],
      ['conv1d', 'globalavgpool', 'dense'],
    ]);
    expect(net.heads.map((h) => h.outputShape)).toEqual([
      [1, 4],
      [1, 4],
    ]);
    net.init(3);
    net.forward(sample(1, 24), 2, false);
    expect([0, 1, 2].map((k) => net.prediction(k).length)).toEqual([4, 4, 4]);
  });

  it('initialises its backbone like a plain Network of the same layers and seed, evidence biases at 1', () => {
    const plain: ModelIR = { ...IR, exits: [] };
    const cascade = new CascadeNetwork(IR);
    const network = new Network(plain);
    cascade.init(11);
    network.init(11);
    const backbone = cascade.exportWeights().backbone;
    const reference = network.exportWeights();
    expect(backbone.slice(0, -1)).toEqual(reference.slice(0, -1));
    const last = backbone.length - 1;
    expect(backbone[last].slice(0, -4)).toEqual(reference[last].slice(0, -4)); // dense 4→4: weights as Network's…
    expect(backbone[last].slice(-4)).toEqual([1, 1, 1, 1]); // …evidence biases at EVIDENCE_BIAS_INIT, so no unit starts dead
    for (const head of cascade.exportWeights().exits) expect(head[head.length - 1].slice(-4)).toEqual([1, 1, 1, 1]);
  });

  it('runs its backbone exactly like a plain Network with the same weights', () => {
    const plain: ModelIR = { ...IR, exits: [] };
    const cascade = new CascadeNetwork(IR);
    const network = new Network(plain);
    cascade.init(11);
    network.importWeights(cascade.exportWeights().backbone);
    const x = sample(2, 24);
    cascade.forward(x, 2, false);
    expect([...cascade.prediction(2)]).toEqual([...network.forward(x)]);
  });

  it.each([
    ['ReLU', IR],
    ['exp', EXP_IR],
  ] as const)('%s evidence: back-propagates the joint loss of every exit into every parameter (central differences)', (_, ir) => {
    const net = new CascadeNetwork(ir);
    net.init(5);
    const x = sample(7, 24);
    const coefficients = [0, 1, 2].map((k) => sample(20 + k, 4));
    net.zeroGrads();
    net.forward(x, 2, true);
    net.backward(coefficients, 0);
    const { params, grads } = net.allParams();
    let checked = 0;
    let nonZero = 0;
    params.forEach((p, a) => {
      for (let i = 0; i < p.length; i += 3) {
        const keep = p[i];
        const h = 1e-6;
        p[i] = keep + h;
        net.forward(x, 2, false);
        const up = linearLoss(net, coefficients);
        p[i] = keep - h;
        net.forward(x, 2, false);
        const down = linearLoss(net, coefficients);
        p[i] = keep;
        expect(Math.abs(grads[a][i] - (up - down) / (2 * h))).toBeLessThan(1e-7);
        checked++;
        if (grads[a][i] !== 0) nonZero++;
      }
    });
    expect(checked).toBeGreaterThan(40);
    expect(nonZero).toBeGreaterThan(checked / 2); // the check is not passing on dead ReLUs
  });

  it('freezes the segments before the stage it trains: no gradient reaches them', () => {
    const net = new CascadeNetwork(IR);
    net.init(5);
    net.zeroGrads();
    net.forward(sample(8, 24), 1, true, true);
    net.backward([null, sample(30, 4)], 1);
    const nonZero = (arrays: readonly Floats[]) => arrays.some((g) => g.some((v) => v !== 0));
    expect(nonZero(net.segments[0].grads)).toBe(false);
    expect(nonZero(net.heads[0].grads)).toBe(false);
    expect(nonZero(net.stageParams(1).grads)).toBe(true);
  });

  it('exp evidence: the deep prediction is exp of its linear layer, which starts at a zero bias', () => {
    const exp = new CascadeNetwork(EXP_IR);
    exp.init(4);
    const x = sample(9, 24);
    exp.forward(x, 2, false);
    // The same backbone as a plain softmax model reads the evidence layer's z.
    const plain = new Network({ input: EXP_IR.input, layers: EXP_IR.layers, head: 'softmax' });
    plain.importWeights(exp.exportWeights().backbone);
    const z = plain.forward(x);
    [...exp.prediction(2)].forEach((e, i) => expect(e).toBeCloseTo(Math.exp(z[i]), 12));
    expect(exp.exportWeights().exits[0].at(-1)!.slice(-4)).toEqual([0, 0, 0, 0]);
    const relu = new CascadeNetwork(IR);
    relu.init(4);
    expect(relu.exportWeights().exits[0].at(-1)!.slice(-4)).toEqual([1, 1, 1, 1]);
    // Above the cap the evidence stays at e^cap and passes no gradient.
    expect(expEvidence(EXP_EVIDENCE_MAX_LOGIT + 5)).toBe(Math.exp(EXP_EVIDENCE_MAX_LOGIT));
    expect(expEvidenceSlope(EXP_EVIDENCE_MAX_LOGIT + 5)).toBe(0);
  });

  it('round-trips its weights through JSON', () => {
    const a = new CascadeNetwork(IR);
    a.init(1);
    const b = new CascadeNetwork(IR);
    b.importWeights(JSON.parse(JSON.stringify(a.exportWeights())));
    const x = sample(3, 24);
    a.forward(x, 2, false);
    b.forward(x, 2, false);
    for (const k of [0, 1, 2]) expect([...b.prediction(k)]).toEqual([...a.prediction(k)]);
    expect(() => b.importWeights({ backbone: a.exportWeights().backbone, exits: [] })).toThrow(/weights for 0 exits, the cascade has 2/);
  });
});
