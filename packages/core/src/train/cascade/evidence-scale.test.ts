import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Layer, ModelIR } from '../../model/ir';
import { CascadeNetwork } from './cascade-network';
import { evidenceNll, fitEvidenceScale, scaleEvidence } from './evidence-scale';
import { evidentialClass } from './evidential-trainable';

const head = (units: number): Layer[] => [{ kind: 'globalavgpool' }, { kind: 'dense', units, activation: 'relu' }];

const IR: ModelIR = {
  input: { length: 12, channels: 2 },
  layers: [
    { kind: 'conv1d', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'conv1d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    ...head(4),
  ],
  head: 'evidential',
  events: 2,
  exits: [{ after: 0, layers: head(4) }],
};

const linear = (layers: readonly Layer[]): Layer[] => layers.map((l, i) => (i === layers.length - 1 ? { kind: 'dense', units: 4, activation: 'none' } : l));

/** The same cascade with exp evidence: the factor becomes ln s added to the bias. */
const EXP_IR: ModelIR = { ...IR, evidence: 'exp', layers: linear(IR.layers), exits: [{ after: 0, layers: linear(head(4)) }] };

describe('evidence scaling (temperature scaling for Beta heads)', () => {
  it('recovers the factor that generated the outcomes', () => {
    // Evidence that is 8 times too small: outcomes drawn from p = (8e⁺ + 1) / (8(e⁺ + e⁻) + 2).
    const random = Random.derive(3, 0);
    const n = 4000;
    const evidence = new Float64Array(2 * n);
    const truth = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const plus = 2 * random.next();
      const minus = 2 * random.next();
      evidence[2 * i] = plus;
      evidence[2 * i + 1] = minus;
      truth[i] = random.next() < (8 * plus + 1) / (8 * (plus + minus) + 2) ? 1 : 0;
    }
    const scale = fitEvidenceScale(evidence, truth, 1);
    expect(scale).toBeGreaterThan(6);
    expect(scale).toBeLessThan(10.5);
    expect(evidenceNll(evidence, truth, 1, scale)).toBeLessThan(evidenceNll(evidence, truth, 1, 1));
  });

  it('keeps a model as it is (factor exactly 1) when no factor fits better, or there is nothing to fit on', () => {
    expect(fitEvidenceScale(new Float64Array(0), new Uint8Array(0), 1)).toBe(1);
    // No evidence at all: p = 0.5 whatever the factor.
    expect(fitEvidenceScale(new Float64Array(8), Uint8Array.from([0, 1, 1, 0]), 1)).toBe(1);
  });

  it.each([
    ['relu', IR],
    ['exp', EXP_IR],
  ] as const)("%s evidence: lives in each prediction's last dense layer, evidence times the factor, decisions unchanged", (_, ir) => {
    const net = new CascadeNetwork(ir);
    net.init(7);
    const random = Random.derive(11, 0);
    const sample = Float64Array.from({ length: 24 }, () => random.next() * 2 - 1);
    net.forward(sample, 1, false);
    const before = [0, 1].map((k) => Float64Array.from(net.prediction(k)));
    const scaled = scaleEvidence(ir, net.exportWeights(), [3, 0.5]);
    const original = net.exportWeights();
    net.importWeights(scaled);
    net.forward(sample, 1, false);
    [3, 0.5].forEach((s, k) => {
      const after = net.prediction(k);
      before[k].forEach((e, i) => expect(after[i]).toBeCloseTo(s * e, 12));
      expect(evidentialClass(after)).toBe(evidentialClass(before[k]));
    });
    // Only the last dense layer of each prediction changed.
    const changed = (a: number[][], b: number[][]) => a.map((w, i) => w.some((v, j) => v !== b[i][j]));
    expect(changed(scaled.backbone, original.backbone)).toEqual([false, false, false, true]);
    expect(changed(scaled.exits[0], original.exits[0])).toEqual([false, true]);
  });
});
