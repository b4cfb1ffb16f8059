import type { PredictionSet } from './predictions';

export interface OperatingPoint {
  thresholds: number[];
  eventF1: number;
  accuracy: number;
  /** Share of windows each exit decides. */
  rates: number[];
  expectedMacs: number;
}

export interface ThresholdCalibration {
  /** The chosen point: fewest expected MACs whose event F1 and accuracy are within targetDrop of deep-only. */
  chosen: OperatingPoint;
  /** Every window to the last exit (all thresholds 0). */
  deepOnly: OperatingPoint;
  targetDrop: number;
  /** Threshold values tried per early exit. */
  candidates: number[][];
  /** Feasible points that no other feasible point beats on both MACs and event F1, by MACs ascending. */
  front: OperatingPoint[];
}

/** Threshold candidates per early exit: 0, the exit's uncertainty quantiles, and 1; combinations stay below this. */
const MAX_COMBINATIONS = 4096;

/**
 * Chooses per-exit uncertainty thresholds on validation windows (UR2M): every combination of candidate thresholds
 * is simulated with the firmware's rule (stop at the first early exit whose max_j u_j ≤ τ_k), and the cheapest in
 * expected MACs whose event F1 and accuracy are each at most `targetDrop` below the deep-only cascade's wins (ties:
 * higher event F1, then lower thresholds). Deep-only is always feasible, so there is always an answer.
 */
export function calibrateThresholds(exits: readonly PredictionSet[], truth: Uint8Array, exitMacs: readonly number[], targetDrop: number): ThresholdCalibration {
  return chooseOperatingPoint(enumerateOperatingPoints(exits, truth, exitMacs), targetDrop);
}

/** Every combination of candidate thresholds simulated on the windows: what calibrateThresholds chooses among. */
export interface OperatingPoints {
  deepOnly: OperatingPoint;
  candidates: number[][];
  points: OperatingPoint[];
}

export function enumerateOperatingPoints(exits: readonly PredictionSet[], truth: Uint8Array, exitMacs: readonly number[]): OperatingPoints {
  const early = exits.length - 1;
  const perExit = Math.max(2, Math.floor(MAX_COMBINATIONS ** (1 / Math.max(1, early))));
  const candidates = exits.slice(0, early).map((set) => thresholdCandidates(set.uncertainty, perExit));
  const evaluate = (thresholds: number[]) => operatingPoint(exits, truth, exitMacs, thresholds);
  const points: OperatingPoint[] = [];
  const visit = (prefix: number[]) => {
    if (prefix.length === early) {
      points.push(evaluate(prefix));
      return;
    }
    for (const t of candidates[prefix.length]) visit([...prefix, t]);
  };
  visit([]);
  return { deepOnly: evaluate(new Array<number>(early).fill(0)), candidates, points };
}

/** calibrateThresholds' choice among already simulated points (one simulation serves any number of targetDrops). */
export function chooseOperatingPoint({ deepOnly, candidates, points }: OperatingPoints, targetDrop: number): ThresholdCalibration {
  const feasible = points.filter((point) => point.eventF1 >= deepOnly.eventF1 - targetDrop - 1e-12 && point.accuracy >= deepOnly.accuracy - targetDrop - 1e-12);
  const better = (a: OperatingPoint, b: OperatingPoint) =>
    a.expectedMacs - b.expectedMacs || b.eventF1 - a.eventF1 || compareLexicographic(a.thresholds, b.thresholds);
  feasible.sort(better);
  const front: OperatingPoint[] = [];
  for (const point of feasible) if (front.length === 0 || point.eventF1 > front[front.length - 1].eventF1) front.push(point);
  return { chosen: feasible[0] ?? deepOnly, deepOnly, targetDrop, candidates, front };
}

/** The cascade's event F1, accuracy, exit rates and expected MACs on these windows under `thresholds`. */
export function operatingPoint(exits: readonly PredictionSet[], truth: Uint8Array, exitMacs: readonly number[], thresholds: readonly number[]): OperatingPoint {
  const n = exits.length - 1;
  const classes = exits[0].events + 1;
  const truePositive = new Array<number>(classes).fill(0);
  const predicted = new Array<number>(classes).fill(0);
  const actual = new Array<number>(classes).fill(0);
  const counts = new Array<number>(exits.length).fill(0);
  const windows = exits[0].windows;
  let correct = 0;
  for (let i = 0; i < windows; i++) {
    let k = 0;
    while (k < n && exits[k].uncertainty[i] > thresholds[k]) k++;
    counts[k]++;
    const cls = exits[k].cls[i];
    predicted[cls]++;
    actual[truth[i]]++;
    if (cls === truth[i]) {
      truePositive[cls]++;
      correct++;
    }
  }
  let f1Sum = 0;
  for (let c = 1; c < classes; c++) {
    const precision = predicted[c] > 0 ? truePositive[c] / predicted[c] : 0;
    const recall = actual[c] > 0 ? truePositive[c] / actual[c] : 0;
    f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  }
  const rates = counts.map((c) => (windows > 0 ? c / windows : 0));
  return {
    thresholds: [...thresholds],
    eventF1: f1Sum / (classes - 1),
    accuracy: windows > 0 ? correct / windows : 0,
    rates,
    expectedMacs: rates.reduce((sum, r, k) => sum + r * exitMacs[k], 0),
  };
}

/** 0, 1 and the values at evenly spaced quantiles of `uncertainty`, ascending and distinct. */
export function thresholdCandidates(uncertainty: ArrayLike<number>, count: number): number[] {
  const sorted = Float64Array.from(uncertainty).sort();
  const values = new Set<number>([0, 1]);
  const steps = Math.max(0, count - 2);
  for (let q = 1; q <= steps && sorted.length > 0; q++) values.add(sorted[Math.min(sorted.length - 1, Math.floor((q / (steps + 1)) * sorted.length))]);
  return [...values].sort((a, b) => a - b);
}

function compareLexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
