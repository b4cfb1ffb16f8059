import { evidenceFunctionOf } from '../../model/evidence';
import type { ModelIR } from '../../model/ir';
import type { WindowSource } from '../window-source';
import type { CascadeNetwork, CascadeWeights } from './cascade-network';
import { exitEvidence } from './evidence-scale';

/**
 * Per-event decision thresholds (`train-cascade.eventThresholds: f1`). An event is present when e⁺ > e⁻, i.e.
 * p > 0.5; class weights move that boundary towards recall for every rare event during training, by a fixed rule.
 * Here it moves after training, per prediction and event, to where the event's F1 on the validation windows is
 * highest: a factor c on e⁺ makes the event present when c·e⁺ > e⁻. So a model trained on the data's own prior (better
 * accuracy and calibration) still decides its rare events. Like evidence scaling, c lives in the exit's last dense
 * layer (ReLU: that unit's weights and bias times c; exp: ln c added to its bias), so the quantizer, the C emitter
 * and the firmware need nothing new; p and u move with it, so the cascade's thresholds are chosen afterwards.
 */

/** Range of ln c: the boundary moves at most e⁶ ≈ 400× either way. */
const LOG_FACTOR_LIMIT = 6;

/**
 * The factor c on event j's e⁺ that maximises its validation F1 (present when c·e⁺ > e⁻ against "window is event
 * j"); among equal F1s the one nearest c = 1, and exactly 1 unless some factor is strictly better, so a model whose
 * boundary is already best stays byte-identical. `evidence` is N × 2E ([e⁺_0, e⁻_0, …]); `truth` the (E + 1)-class
 * label (0 = no event).
 */
export function fitEventFactor(evidence: Float64Array, truth: Uint8Array, events: number, j: number): number {
  const n = truth.length;
  // present ⇔ ln c > r with r = ln(e⁻ / e⁺): the windows present under ln c are those with r below it
  const r = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const plus = evidence[(i * events + j) * 2];
    const minus = evidence[(i * events + j) * 2 + 1];
    r[i] = plus > 0 ? (minus > 0 ? Math.log(minus / plus) : -Infinity) : Infinity;
    if (truth[i] === j + 1) positives++;
  }
  if (n === 0 || positives === 0) return 1;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => r[a] - r[b]);
  const f1 = (tp: number, predicted: number) => (predicted + positives === 0 ? 0 : (2 * tp) / (predicted + positives));
  let tp = 0;
  let best = { f1: -1, logFactor: 0 };
  const consider = (score: number, logFactor: number) => {
    if (score > best.f1 + 1e-12 || (Math.abs(score - best.f1) <= 1e-12 && Math.abs(logFactor) < Math.abs(best.logFactor))) best = { f1: score, logFactor };
  };
  // the boundary at ln c = 0 first, so it wins every tie it is part of
  let tpAtOne = 0;
  let presentAtOne = 0;
  for (let i = 0; i < n; i++) {
    if (r[i] < 0) {
      presentAtOne++;
      if (truth[i] === j + 1) tpAtOne++;
    }
  }
  consider(f1(tpAtOne, presentAtOne), 0);
  // the first k windows (by r) present: ln c in (r_k−1, r_k], taken at the midpoint, within ±LOG_FACTOR_LIMIT
  for (let k = 0; k <= n; k++) {
    if (k > 0 && truth[order[k - 1]] === j + 1) tp++;
    const below = k > 0 ? r[order[k - 1]] : -Infinity;
    const above = k < n ? r[order[k]] : Infinity;
    const lo = Math.max(below, -LOG_FACTOR_LIMIT);
    const hi = Math.min(above, LOG_FACTOR_LIMIT);
    const logFactor = Number.isFinite(below) && Number.isFinite(above) ? (below + above) / 2 : (lo + hi) / 2;
    if (logFactor > below && logFactor <= above && Math.abs(logFactor) <= LOG_FACTOR_LIMIT) consider(f1(tp, k), logFactor);
  }
  return best.logFactor === 0 ? 1 : Math.exp(best.logFactor);
}

/**
 * `weights` with each prediction k's e⁺ of event j multiplied by factors[k][j] inside its last dense layer (units
 * 2j: e⁺, 2j + 1: e⁻; weights [in][units], bias [units]).
 */
export function shiftEventThresholds(ir: ModelIR, weights: CascadeWeights, factors: readonly (readonly number[])[]): CascadeWeights {
  const exits = ir.exits ?? [];
  const exp = evidenceFunctionOf(ir) === 'exp';
  const shifted: CascadeWeights = { backbone: weights.backbone.map((w) => [...w]), exits: weights.exits.map((e) => e.map((w) => [...w])) };
  const apply = (layer: ModelIR['layers'][number], params: number[], perEvent: readonly number[]) => {
    if (layer.kind !== 'dense') return;
    const units = layer.units;
    const biasAt = params.length - units;
    perEvent.forEach((factor, j) => {
      if (factor === 1) return;
      const unit = 2 * j;
      if (exp && layer.activation === 'none') {
        params[biasAt + unit] += Math.log(factor);
      } else if (!exp && layer.activation === 'relu') {
        for (let i = unit; i < biasAt; i += units) params[i] *= factor;
        params[biasAt + unit] *= factor;
      }
    });
  };
  exits.forEach((exit, k) => {
    const last = exit.layers.length - 1;
    apply(exit.layers[last], shifted.exits[k][last], factors[k]);
  });
  const last = ir.layers.length - 1;
  apply(ir.layers[last], shifted.backbone[last], factors[exits.length]);
  return shifted;
}

/** Fits every prediction's per-event factors on `windows` and applies them to `net` in place; returns them (deep exit last). */
export function tuneEventThresholds(net: CascadeNetwork, data: WindowSource, windows: Uint32Array, truth: Uint8Array, events: number): number[][] {
  const evidence = exitEvidence(net, data, windows, events);
  const factors = evidence.map((e) => Array.from({ length: events }, (_, j) => fitEventFactor(e, truth, events, j)));
  net.importWeights(shiftEventThresholds(net.ir, net.exportWeights(), factors));
  return factors;
}
