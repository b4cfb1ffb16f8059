import { accuracyCoverage, binaryNll, brierScore, expectedCalibrationError, type CoveragePoint, type ReliabilityBin } from '../calibration-metrics';
import { classMetrics, confusionMatrix } from '../metrics';
import type { PredictionSet } from './predictions';

export interface EventScore {
  event: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
  brier: number;
  nll: number;
  /** 15 equal-width bins of p. */
  ece: number;
  reliability: ReliabilityBin[];
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface SubjectScore {
  subject: string;
  windows: number;
  accuracy: number;
  /** Mean F1 over the events this subject has windows of; null when it has none. */
  eventF1: number | null;
}

export interface PredictionScores {
  windows: number;
  /** (E + 1)-class accuracy (class 0 = no event). */
  accuracy: number;
  /** Mean of the events' F1. */
  eventF1: number;
  events: EventScore[];
  /** Means over the events. */
  brier: number;
  nll: number;
  ece: number;
  meanUncertainty: number;
  /** (E + 1)-class accuracy of the most certain windows. */
  coverage: CoveragePoint[];
  perSubject: SubjectScore[];
  spread: { accuracy: Spread; eventF1: Spread | null };
  confusion: number[][];
  /** Cascades only: the share of windows each exit decided, and the mean MACs per window that implies. */
  exits: { rates: number[]; expectedMacs: number; macs: number[] } | null;
}

export const COVERAGES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * Scores a method's predictions of windows whose true (E + 1)-class is `truth[i]` and subject `subjects[i]`.
 * `exitMacs[k]` is what reaching exit k costs (model/cost exitCosts), for cascades.
 */
export function scorePredictions(
  set: PredictionSet,
  truth: Uint8Array,
  subjects: Uint16Array,
  subjectNames: readonly string[],
  eventNames: readonly string[],
  exitMacs?: readonly number[],
): PredictionScores {
  const E = eventNames.length;
  const confusion = confusionMatrix(truth, set.cls, E + 1);
  let correct = 0;
  for (let i = 0; i < set.windows; i++) if (truth[i] === set.cls[i]) correct++;
  const events = eventNames.map((event, j): EventScore => {
    const p = new Float64Array(set.windows);
    const y = new Uint8Array(set.windows);
    for (let i = 0; i < set.windows; i++) {
      p[i] = set.p[i * E + j];
      y[i] = truth[i] === j + 1 ? 1 : 0;
    }
    const { precision, recall, f1, support } = classMetrics(confusion, j + 1);
    const calibration = expectedCalibrationError(p, y);
    return { event, precision, recall, f1, support, brier: brierScore(p, y), nll: binaryNll(p, y), ece: calibration.ece, reliability: calibration.bins };
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const hits = Uint8Array.from(truth, (t, i) => (t === set.cls[i] ? 1 : 0));
  const perSubject = subjectScores(set, truth, subjects, subjectNames, E);
  const withEvents = perSubject.filter((s) => s.eventF1 !== null).map((s) => s.eventF1 as number);
  let exits: PredictionScores['exits'] = null;
  if (set.exit && exitMacs) {
    const counts = new Array<number>(exitMacs.length).fill(0);
    for (const k of set.exit) counts[k]++;
    const rates = counts.map((n) => (set.windows > 0 ? n / set.windows : 0));
    exits = { rates, expectedMacs: rates.reduce((sum, r, k) => sum + r * exitMacs[k], 0), macs: [...exitMacs] };
  }
  return {
    windows: set.windows,
    accuracy: set.windows > 0 ? correct / set.windows : 0,
    eventF1: mean(events.map((e) => e.f1)),
    events,
    brier: mean(events.map((e) => e.brier)),
    nll: mean(events.map((e) => e.nll)),
    ece: mean(events.map((e) => e.ece)),
    meanUncertainty: mean(Array.from(set.uncertainty)),
    coverage: accuracyCoverage(set.uncertainty, hits, COVERAGES),
    perSubject,
    spread: { accuracy: spread(perSubject.map((s) => s.accuracy)), eventF1: withEvents.length > 0 ? spread(withEvents) : null },
    confusion,
    exits,
  };
}

function subjectScores(set: PredictionSet, truth: Uint8Array, subjects: Uint16Array, names: readonly string[], E: number): SubjectScore[] {
  const bySubject = new Map<number, number[]>();
  for (let i = 0; i < set.windows; i++) {
    const list = bySubject.get(subjects[i]) ?? [];
    list.push(i);
    bySubject.set(subjects[i], list);
  }
  return [...bySubject.entries()]
    .sort((a, b) => names[a[0]].localeCompare(names[b[0]]))
    .map(([subject, windows]) => {
      const t = Uint8Array.from(windows, (i) => truth[i]);
      const c = Uint8Array.from(windows, (i) => set.cls[i]);
      const confusion = confusionMatrix(t, c, E + 1);
      const present = Array.from({ length: E }, (_, j) => j + 1).filter((k) => confusion[k].some((n) => n > 0));
      let correct = 0;
      t.forEach((v, i) => (correct += v === c[i] ? 1 : 0));
      return {
        subject: names[subject],
        windows: windows.length,
        accuracy: correct / windows.length,
        eventF1: present.length > 0 ? present.reduce((sum, k) => sum + classMetrics(confusion, k).f1, 0) / present.length : null,
      };
    });
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { min: 0, median: 0, max: 0 };
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { min: sorted[0], median, max: sorted[n - 1] };
}
