import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Layer, ModelIR } from '../../model/ir';
import { CascadeNetwork } from './cascade-network';
import { fitEventFactor, shiftEventThresholds } from './event-thresholds';

/** One event's evidence as [e⁺, e⁻] pairs: ln(e⁻ / e⁺) is how far a window is from being decided present. */
const pairs = (list: [number, number][]) => Float64Array.from(list.flat());

describe('fitEventFactor: the boundary with the best validation F1', () => {
  it('moves the boundary past the missed events when that raises F1, to the midpoint between the windows it separates', () => {
    // r = ln(e⁻/e⁺): two events at 0.5 and 0.7 (missed at c = 1), negatives at −0.2 (a false alarm), 1.5 and 2
    const r = [0.5, 0.7, -0.2, 1.5, 2];
    const evidence = pairs(r.map((x) => [1, Math.exp(x)]));
    const truth = Uint8Array.from([1, 1, 0, 0, 0]);
    // at c = 1: TP 0, FP 1 → F1 0; with ln c in (0.7, 1.5]: TP 2, FP 1 → F1 0.8, the best
    expect(Math.log(fitEventFactor(evidence, truth, 1, 0))).toBeCloseTo(1.1, 12);
  });

  it('can also make an event harder to call: a factor below 1 when the false alarms sit just inside the boundary', () => {
    const r = [-2, -1.8, -0.3, -0.1, 1];
    const evidence = pairs(r.map((x) => [1, Math.exp(x)]));
    const truth = Uint8Array.from([1, 1, 0, 0, 0]);
    expect(Math.log(fitEventFactor(evidence, truth, 1, 0))).toBeCloseTo(-1.05, 12);
  });

  it('keeps exactly 1 when the present boundary is already best, or there is nothing to fit on', () => {
    const evidence = pairs([
      [3, 1],
      [2, 1],
      [1, 4],
      [1, 3],
    ]);
    expect(fitEventFactor(evidence, Uint8Array.from([1, 1, 0, 0]), 1, 0)).toBe(1);
    expect(fitEventFactor(evidence, Uint8Array.from([0, 0, 0, 0]), 1, 0)).toBe(1); // no event in validation
    expect(fitEventFactor(new Float64Array(0), new Uint8Array(0), 1, 0)).toBe(1);
  });

  it('fits each event on its own columns and its own truth (truth is 1 + event index)', () => {
    // per window [e⁺_0, e⁻_0], [e⁺_1, e⁻_1]: event 0 is already separated at c = 1; event 1's one window (truth 2)
    // sits at r = ln 2, its negatives at 1.1, 1.2 and 1.4
    const evidence = pairs([
      [2, 1],
      [1, Math.exp(1.2)],
      [1, 2],
      [1, Math.exp(1.4)],
      [1, 3],
      [1, 2],
      [1, Math.exp(0.2)],
      [1, Math.exp(1.1)],
    ]);
    const truth = Uint8Array.from([1, 0, 2, 0]);
    expect(fitEventFactor(evidence, truth, 2, 0)).toBe(1);
    expect(Math.log(fitEventFactor(evidence, truth, 2, 1))).toBeCloseTo((Math.log(2) + 1.1) / 2, 12);
  });

  it('never moves the boundary more than e⁶ either way, and treats zero evidence as never (e⁺ = 0) or always (e⁻ = 0) present', () => {
    const evidence = pairs([
      [1, Math.exp(9)], // an event only a factor of e⁹ would reach: out of range
      [0, 1], // an event with no positive evidence: no factor reaches it
      [1, 0], // a negative with no negative evidence: present whatever the factor
      [1, Math.exp(10)],
    ]);
    expect(fitEventFactor(evidence, Uint8Array.from([1, 1, 0, 0]), 1, 0)).toBe(1);
  });
});

const head = (units: number, activation: 'relu' | 'none'): Layer[] => [{ kind: 'globalavgpool' }, { kind: 'dense', units, activation }];
const ir = (activation: 'relu' | 'none'): ModelIR => ({
  input: { length: 12, channels: 2 },
  layers: [
    { kind: 'conv1d', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { kind: 'conv1d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    ...head(4, activation),
  ],
  head: 'evidential',
  events: 2,
  evidence: activation === 'relu' ? 'relu' : 'exp',
  exits: [{ after: 0, layers: head(4, activation) }],
});

describe('shiftEventThresholds', () => {
  it.each([
    ['relu', ir('relu')],
    ['exp', ir('none')],
  ] as const)("%s evidence: multiplies only e⁺ of each event by its factor, inside each prediction's last dense layer", (_, model) => {
    const net = new CascadeNetwork(model);
    net.init(5);
    const random = Random.derive(13, 0);
    const sample = Float64Array.from({ length: 24 }, () => random.next() * 2 - 1);
    net.forward(sample, 1, false);
    const before = [0, 1].map((k) => Float64Array.from(net.prediction(k).subarray(0, 4)));
    const factors = [
      [2.5, 1],
      [1, 0.25],
    ];
    const original = net.exportWeights();
    const shifted = shiftEventThresholds(model, original, factors);
    net.importWeights(shifted);
    net.forward(sample, 1, false);
    factors.forEach((perEvent, k) => {
      const after = net.prediction(k);
      perEvent.forEach((c, j) => {
        expect(after[2 * j]).toBeCloseTo(c * before[k][2 * j], 12);
        expect(after[2 * j + 1]).toBeCloseTo(before[k][2 * j + 1], 12);
      });
    });
    const changed = (a: number[][], b: number[][]) => a.map((w, i) => w.some((v, j) => v !== b[i][j]));
    expect(changed(shifted.backbone, original.backbone)).toEqual([false, false, false, true]);
    expect(changed(shifted.exits[0], original.exits[0])).toEqual([false, true]);
  });
});
