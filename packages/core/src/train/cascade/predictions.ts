import { Random } from '../../common/random';
import { exitUncertaintyOf } from '../../model/evidence';
import type { ExitUncertainty } from '../../model/ir';
import type { WindowSource } from '../window-source';
import type { Network } from '../network';
import type { CascadeNetwork } from './cascade-network';
import { evidentialClass } from './evidential-trainable';

/**
 * What a method says about each of N windows over E events: p[i·E + j] the probability that window i is event j,
 * one uncertainty figure per window (higher = less sure), the (E + 1)-class decision (0 = no event) and, for a
 * cascade, the exit that decided.
 */
export class PredictionSet {
  readonly p: Float64Array;
  readonly uncertainty: Float64Array;
  readonly cls: Uint8Array;
  readonly exit: Uint8Array | null;

  constructor(
    readonly windows: number,
    readonly events: number,
    withExits = false,
  ) {
    this.p = new Float64Array(windows * events);
    this.uncertainty = new Float64Array(windows);
    this.cls = new Uint8Array(windows);
    this.exit = withExits ? new Uint8Array(windows) : null;
  }
}

/**
 * Window i of an evidential output [e⁺_0, e⁻_0, ...]: p_j = α/(α+β), and as its uncertainty the exit uncertainty the
 * cascade's thresholds are compared with: max_j of the vacuity 2/(α+β), or of the decision uncertainty 2/(|α−β|+2).
 */
export function writeEvidential(evidence: ArrayLike<number>, set: PredictionSet, i: number, exitUncertainty: ExitUncertainty = 'vacuity'): void {
  let uMax = 0;
  for (let j = 0; j < set.events; j++) {
    const alpha = evidence[2 * j] + 1;
    const beta = evidence[2 * j + 1] + 1;
    set.p[i * set.events + j] = alpha / (alpha + beta);
    uMax = Math.max(uMax, exitUncertainty === 'decision' ? 2 / (Math.abs(alpha - beta) + 2) : 2 / (alpha + beta));
  }
  set.uncertainty[i] = uMax;
  set.cls[i] = evidentialClass(evidence);
}

/** Window i of (E + 1)-class probabilities: p_j = prob[1 + j], uncertainty 1 − max prob, decision argmax. */
export function writeProbabilities(probabilities: ArrayLike<number>, set: PredictionSet, i: number): void {
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[best]) best = c;
  for (let j = 0; j < set.events; j++) set.p[i * set.events + j] = probabilities[1 + j];
  set.uncertainty[i] = 1 - probabilities[best];
  set.cls[i] = best;
}

export function softmaxInto(logits: ArrayLike<number>, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < out.length; c++) max = Math.max(max, logits[c]);
  let sum = 0;
  for (let c = 0; c < out.length; c++) sum += out[c] = Math.exp(logits[c] - max);
  for (let c = 0; c < out.length; c++) out[c] /= sum;
  return out;
}

/** How a window is damaged before prediction (UR2M's robustness tests), on the z-scored window. */
export type Perturbation = { kind: 'clean' } | { kind: 'noise'; sigma: number } | { kind: 'missing'; fraction: number };

export function perturbationLabel(p: Perturbation): string {
  return p.kind === 'clean' ? 'clean' : p.kind === 'noise' ? `noise σ=${p.sigma}` : `missing ${Math.round(p.fraction * 100)}%`;
}

/**
 * Applies `perturbation` to one z-scored window in place: Gaussian noise of σ (z units) on every value, or a lost
 * signal — raw readings of 0 — over a contiguous run of ⌈fraction·T⌉ samples at a random offset. Window `window`
 * always gets the same damage for the same seed, whatever else is evaluated.
 */
export function perturb(sample: Float64Array, perturbation: Perturbation, data: WindowSource, zero: Float64Array, window: number, seed: number): void {
  if (perturbation.kind === 'clean') return;
  const random = Random.derive(seed, window);
  const C = data.channels;
  if (perturbation.kind === 'noise') {
    for (let i = 0; i < sample.length; i++) sample[i] += perturbation.sigma * random.gaussian();
    return;
  }
  const T = data.windowLength;
  const run = Math.min(T, Math.ceil(perturbation.fraction * T));
  const start = random.int(T - run + 1);
  for (let t = start; t < start + run; t++) for (let c = 0; c < C; c++) sample[t * C + c] = zero[c];
}

/** Calls `predict(sample, i)` for each of `windows`, filled (and perturbed) in order. */
export function forEachWindow(
  data: WindowSource,
  windows: Uint32Array,
  perturbation: Perturbation,
  seed: number,
  predict: (sample: Float64Array, i: number) => void,
): void {
  const sample = new Float64Array(data.windowSize);
  const zero = data.normalizedZero();
  for (let i = 0; i < windows.length; i++) {
    data.fill(windows[i], sample);
    perturb(sample, perturbation, data, zero, windows[i], seed);
    predict(sample, i);
  }
}

/** Every exit's evidential prediction of every window (for threshold calibration and per-exit reports). */
export function cascadeExitPredictions(
  net: CascadeNetwork,
  events: number,
  data: WindowSource,
  windows: Uint32Array,
  perturbation: Perturbation,
  seed: number,
): PredictionSet[] {
  const sets = Array.from({ length: net.predictions }, () => new PredictionSet(windows.length, events));
  const exitUncertainty = exitUncertaintyOf(net.ir);
  forEachWindow(data, windows, perturbation, seed, (sample, i) => {
    net.forward(sample, net.predictions - 1, false);
    sets.forEach((set, k) => writeEvidential(net.prediction(k), set, i, exitUncertainty));
  });
  return sets;
}

/**
 * The cascade's answer under thresholds τ_k: window i stops at the first exit k < n with uncertainty ≤ τ_k (the
 * firmware's rule, "max_j u_j ≤ τ" with the model's exit uncertainty), else at the last exit.
 */
export function applyThresholds(exits: readonly PredictionSet[], thresholds: readonly number[]): PredictionSet {
  const n = exits.length - 1;
  const first = exits[0];
  const set = new PredictionSet(first.windows, first.events, true);
  const E = first.events;
  for (let i = 0; i < first.windows; i++) {
    let k = 0;
    while (k < n && exits[k].uncertainty[i] > thresholds[k]) k++;
    const from = exits[k];
    for (let j = 0; j < E; j++) set.p[i * E + j] = from.p[i * E + j];
    set.uncertainty[i] = from.uncertainty[i];
    set.cls[i] = from.cls[i];
    (set.exit as Uint8Array)[i] = k;
  }
  return set;
}

/** The (E + 1)-class softmax prediction of several networks: the mean of their probabilities (one = a single model). */
export function averagedSoftmaxPredictions(
  networks: readonly Network[],
  events: number,
  data: WindowSource,
  windows: Uint32Array,
  perturbation: Perturbation,
  seed: number,
  copies?: { count: number; sigma: number; seed: number },
): PredictionSet {
  const set = new PredictionSet(windows.length, events);
  const classes = events + 1;
  const probabilities = new Float64Array(classes);
  const mean = new Float64Array(classes);
  const jittered = new Float64Array(data.windowSize);
  forEachWindow(data, windows, perturbation, seed, (sample, i) => {
    mean.fill(0);
    const count = copies?.count ?? 1;
    for (let copy = 0; copy < count; copy++) {
      let input = sample;
      if (copies) {
        // Test-time augmentation: each copy jittered with its own seeded noise.
        const random = Random.derive(copies.seed, windows[i] * 64 + copy);
        for (let v = 0; v < sample.length; v++) jittered[v] = sample[v] + copies.sigma * random.gaussian();
        input = jittered;
      }
      for (const network of networks) {
        softmaxInto(network.forward(input), probabilities);
        for (let c = 0; c < classes; c++) mean[c] += probabilities[c];
      }
    }
    for (let c = 0; c < classes; c++) mean[c] /= count * networks.length;
    writeProbabilities(mean, set, i);
  });
  return set;
}
