import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import { Random } from '../common/random';
import type { Log } from '../common/log';
import type { NormalizedSearch } from '../spec/types';
import type { Candidate } from './candidates';
import type { TrialStore } from './journal';
import { promote, type Rung } from './successive-halving';
import { trainingCodeHash } from './training-code';
import type { TrialOutcome, TrialRequest } from './trial';
import type { TrialExecutor } from './worker-pool';
import type { Precision } from '../train/wasm/arena';

export interface TrialRecord {
  candidate: string;
  rung: number;
  epochs: number;
  maxTrainWindows: number;
  trainWindows: number;
  bestEpoch: number;
  epochsRun: number;
  stopReason: string;
  validationF1: number | null;
  validationAccuracy: number | null;
  testF1: number | null;
  testAccuracy: number | null;
  validationMacroF1: number | null;
  testMacroF1: number | null;
  /** The selection score (validation positive-f1 or macro-f1, as the search ranks). */
  score: number;
}

export interface TrialTiming {
  key: string;
  seconds: number;
  samplesPerSecond: number;
  resumed: boolean;
}

/** What identifies a trial's result: everything in its request but its label, and the code that trains it. */
export function trialContentKey(request: TrialRequest): string {
  const { key: _label, ...determinants } = request;
  return createHash('sha256')
    .update(canonicalJson({ ...determinants, trainingCode: trainingCodeHash() }))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Runs trials through the journal, keyed by what determines the result (IR, seed, budget, settings, initial
 * weights) rather than by name: a trial journaled before — by an earlier, killed run, by a shard target, or by
 * another part of this search, e.g. the two-stage baseline drawing a candidate the constrained search already
 * trained — is replayed; anything else is trained and journaled first.
 */
export class JournaledTrials {
  readonly timings: TrialTiming[] = [];
  private readonly inFlight = new Map<string, Promise<TrialOutcome>>();

  constructor(
    private readonly store: TrialStore<TrialOutcome>,
    private readonly executor: TrialExecutor,
    private readonly log: Log,
    /** Called after every trial, trained or replayed (progress). */
    private readonly onFinished: () => void = () => undefined,
  ) {}

  async run(request: TrialRequest, label: () => string): Promise<TrialOutcome> {
    const outcome = await this.lookUpOrTrain(request, label);
    this.onFinished();
    return outcome;
  }

  private async lookUpOrTrain(request: TrialRequest, label: () => string): Promise<TrialOutcome> {
    // Lookups and the in-flight registration happen before the first await, so two schedules running
    // concurrently never both train the same trial.
    const contentKey = trialContentKey(request);
    const recorded = this.store.get(contentKey);
    if (recorded) {
      this.timings.push({ key: request.key, ...recorded.timing, resumed: true });
      return { ...recorded, key: request.key };
    }
    const running = this.inFlight.get(contentKey);
    if (running) {
      const outcome = await running;
      this.timings.push({ key: request.key, ...outcome.timing, resumed: true });
      return { ...outcome, key: request.key };
    }
    const training = this.train(contentKey, request, label);
    this.inFlight.set(contentKey, training);
    try {
      return await training;
    } finally {
      this.inFlight.delete(contentKey);
    }
  }

  private async train(contentKey: string, request: TrialRequest, label: () => string): Promise<TrialOutcome> {
    const outcome = await this.executor.run(request);
    this.store.record(contentKey, outcome);
    this.timings.push({ key: request.key, ...outcome.timing, resumed: false });
    // Show what ranks the trials: the positive class's F1, or the macro-F1 when that is the metric.
    const macro = request.monitor === 'macro-f1';
    const figure = (m: TrialOutcome['validation']) => fmt(macro ? m?.macroF1 : m?.positiveF1);
    this.log(
      `search: ${label()} ${request.key} val ${macro ? 'macro-F1' : 'F1'} ${figure(outcome.validation)} test ${macro ? 'macro-F1' : 'F1'} ${figure(outcome.test)} ` +
        `(${outcome.epochsRun} ep, ${outcome.timing.seconds.toFixed(0)} s, ${Math.round(outcome.timing.samplesPerSecond)} samples/s)`,
    );
    return outcome;
  }
}

export interface ScheduleResult {
  winner: { candidate: Candidate; outcome: TrialOutcome };
  trials: TrialRecord[];
}

export const ETA = 3;

/** What ranks candidates: the monitored validation metric, and the class positive-f1 refers to. */
/** How every trial of a search is trained and ranked. */
export interface Selection {
  monitor: 'positive-f1' | 'macro-f1';
  positiveClass?: number;
  /** The engine's element type (spec train.precision); part of every trial's key. */
  precision: Precision;
}

export function selectionScore(outcome: TrialOutcome, selection: Selection): number {
  if (!outcome.validation) return 0;
  return selection.monitor === 'macro-f1' ? outcome.validation.macroF1 : outcome.validation.positiveF1;
}

/** The trial request of a candidate at one rung; its seed depends on the candidate only, so rungs are comparable. */
export function trialRequest(
  key: string,
  candidate: Candidate,
  search: NormalizedSearch,
  seed: number,
  epochs: number,
  maxTrainWindows: number,
  selection: Selection,
): TrialRequest {
  return {
    monitor: selection.monitor,
    positiveClass: selection.positiveClass,
    precision: selection.precision,
    key,
    ir: candidate.ir,
    seed: Random.derive(seed, Number(candidate.id.slice(1))).uint32(),
    epochs,
    maxTrainWindows,
    weightedLoss: search.weightedLoss,
    batchSize: search.batchSize,
    learningRate: search.learningRate,
    patience: search.patience,
  };
}

/**
 * Trains `candidates` through the rungs of `schedule` (one rung for random/grid), promoting the best third by
 * validation F1 between rungs, and returns the last rung's best (F1, then validation loss, then SRAM, then id).
 */
export async function runSchedule(
  candidates: readonly Candidate[],
  schedule: readonly Rung[],
  search: NormalizedSearch,
  seed: number,
  trials: JournaledTrials,
  selection: Selection,
  keyPrefix = '',
): Promise<ScheduleResult> {
  const records: TrialRecord[] = [];
  let entrants = [...candidates];
  let lastRung: { candidate: Candidate; outcome: TrialOutcome }[] = [];
  for (const rung of schedule) {
    const maxTrainWindows = Math.max(100, Math.round(search.maxTrainWindows * rung.trainFraction));
    let finished = 0;
    lastRung = await Promise.all(
      entrants.map(async (candidate) => {
        const key = `${keyPrefix}${candidate.id}@r${rung.index}`;
        const outcome = await trials.run(
          trialRequest(key, candidate, search, seed, rung.epochs, maxTrainWindows, selection),
          () => `[${keyPrefix}rung ${rung.index + 1}/${schedule.length} ${++finished}/${entrants.length}]`,
        );
        records.push(trialRecord(candidate, rung, maxTrainWindows, outcome, selection));
        return { candidate, outcome };
      }),
    );
    if (rung.index < schedule.length - 1) {
      entrants = promote(
        lastRung.map((r) => ({
          id: r.candidate.id,
          score: selectionScore(r.outcome, selection),
          tieBreak: r.outcome.validationLoss ?? Infinity,
          candidate: r.candidate,
        })),
        ETA,
      ).map((p) => p.candidate);
    }
  }
  const winner = [...lastRung].sort(
    (a, b) =>
      selectionScore(b.outcome, selection) - selectionScore(a.outcome, selection) ||
      (a.outcome.validationLoss ?? Infinity) - (b.outcome.validationLoss ?? Infinity) ||
      a.candidate.sramBytes - b.candidate.sramBytes ||
      (a.candidate.id < b.candidate.id ? -1 : 1),
  )[0];
  records.sort((a, b) => a.rung - b.rung || (a.candidate < b.candidate ? -1 : 1));
  return { winner, trials: records };
}

function trialRecord(candidate: Candidate, rung: Rung, maxTrainWindows: number, outcome: TrialOutcome, selection: Selection): TrialRecord {
  return {
    candidate: candidate.id,
    rung: rung.index,
    epochs: rung.epochs,
    maxTrainWindows,
    trainWindows: outcome.trainWindows,
    bestEpoch: outcome.bestEpoch,
    epochsRun: outcome.epochsRun,
    stopReason: outcome.stopReason,
    validationF1: outcome.validation?.positiveF1 ?? null,
    validationAccuracy: outcome.validation?.accuracy ?? null,
    testF1: outcome.test?.positiveF1 ?? null,
    testAccuracy: outcome.test?.accuracy ?? null,
    validationMacroF1: outcome.validation?.macroF1 ?? null,
    testMacroF1: outcome.test?.macroF1 ?? null,
    score: selectionScore(outcome, selection),
  };
}

export function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : value.toFixed(3);
}
