import { chooseOperatingPoint, operatingPoint, type OperatingPoints } from '../train/cascade/thresholds';
import type { PredictionSet } from '../train/cascade/predictions';
import { foldSpread, type FoldSpread } from './aggregate';

/** A cascade operating point on a fold's test windows (float). */
export interface SweepPoint {
  eventF1: number;
  accuracy: number;
  expectedMacs: number;
}

/** One fold: the deep exit alone, and the cascade with thresholds chosen on validation under each targetDrop. */
export interface FoldTargetDropSweep {
  /** Whether the test windows hold any event (else event F1 says nothing and only MACs and accuracy count). */
  hasEvents: boolean;
  deep: SweepPoint;
  /** The spec's train-cascade.targetDrop: the budget the fold's own (deployed) thresholds were chosen under. */
  deployedTargetDrop: number;
  rows: (SweepPoint & { targetDrop: number; thresholds: number[] })[];
}

/**
 * The cascade's exit thresholds chosen among the validation operating points under each of `targetDrops` (as
 * train-cascade and evaluate choose them under train-cascade.targetDrop), each applied to the test exits. The
 * predictions are the same for every value, so this costs one pass over the test windows per value and no training: how much event F1 the early
 * exits give up for how many MACs on held-out subjects, to choose targetDrop from.
 */
export function sweepTargetDrops(
  validation: OperatingPoints,
  test: { exits: readonly PredictionSet[]; truth: Uint8Array },
  exitMacs: readonly number[],
  targetDrops: readonly number[],
  deployedTargetDrop: number,
): FoldTargetDropSweep {
  const point = (thresholds: number[]): SweepPoint => {
    const { eventF1, accuracy, expectedMacs } = operatingPoint(test.exits, test.truth, exitMacs, thresholds);
    return { eventF1, accuracy, expectedMacs };
  };
  const early = test.exits.length - 1;
  return {
    hasEvents: test.truth.some((t) => t > 0),
    // Thresholds of 0 send every window to the last exit (the firmware leaves early only when max u ≤ τ).
    deep: point(new Array<number>(early).fill(0)),
    deployedTargetDrop,
    rows: targetDrops.map((targetDrop) => {
      const { thresholds } = chooseOperatingPoint(validation, targetDrop).chosen;
      return { targetDrop, thresholds, ...point(thresholds) };
    }),
  };
}

/** One targetDrop over the folds: event F1 and its gap to the deep exit over folds with events, MACs over all. */
export interface TargetDropSweepAggregate {
  targetDrop: number;
  eventF1: FoldSpread;
  /** Cascade minus deep exit, per fold: `worst` is the largest loss. */
  gapToDeepExit: FoldSpread;
  accuracy: FoldSpread;
  /** Expected MACs as a share of the deep exit's. */
  macsShare: FoldSpread;
}

export function aggregateTargetDropSweep(folds: readonly { fold: string; targetDropSweep?: FoldTargetDropSweep | null }[]): TargetDropSweepAggregate[] {
  const swept = folds.filter((f): f is { fold: string; targetDropSweep: FoldTargetDropSweep } => !!f.targetDropSweep && f.targetDropSweep.rows.length > 0);
  if (swept.length === 0) return [];
  return swept[0].targetDropSweep.rows.map(({ targetDrop }, i) => {
    const over = (value: (s: FoldTargetDropSweep) => number | null, higherIsBetter = true) =>
      foldSpread(
        swept.map((f) => ({ fold: f.fold, value: value(f.targetDropSweep) })),
        higherIsBetter,
      );
    return {
      targetDrop,
      eventF1: over((s) => (s.hasEvents ? s.rows[i].eventF1 : null)),
      gapToDeepExit: over((s) => (s.hasEvents ? s.rows[i].eventF1 - s.deep.eventF1 : null)),
      accuracy: over((s) => s.rows[i].accuracy),
      macsShare: over((s) => (s.deep.expectedMacs > 0 ? s.rows[i].expectedMacs / s.deep.expectedMacs : null), false),
    };
  });
}

/** Whether row `i` of the folds' sweeps is the spec's own targetDrop (the budget of the deployed thresholds). */
export function isDeployedTargetDrop(folds: readonly { targetDropSweep?: FoldTargetDropSweep | null }[], i: number): boolean {
  const sweep = folds.find((f) => f.targetDropSweep)?.targetDropSweep;
  return !!sweep && sweep.rows[i]?.targetDrop === sweep.deployedTargetDrop;
}
