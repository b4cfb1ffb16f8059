import { Random } from '../../common/random';
import type { FoldData } from '../dataset';
import type { Network } from '../network';
import { uniformSubsample } from '../window-source';
import type { CascadeNetwork } from './cascade-network';
import type { EventSet } from './events';
import { applyThresholds, averagedSoftmaxPredictions, cascadeExitPredictions, perturbationLabel, type Perturbation, type PredictionSet } from './predictions';
import { auroc } from '../metrics';
import { scorePredictions, type PredictionScores } from './scoring';

/** The trained models one evaluation compares (absent baselines are skipped). */
export interface EvaluatedModels {
  cascade: CascadeNetwork;
  thresholds: number[];
  /** MACs to reach each cascade exit. */
  exitMacs: number[];
  evidential: CascadeNetwork | null;
  /** Softmax models: [0] is the softmax baseline and the TTA model, all of them the deep ensemble. */
  softmax: Network[];
  ensemble: boolean;
  tta: { copies: number; sigma: number } | null;
}

export type MethodName = 'ur2m-cascade' | 'evidential' | 'softmax' | 'deep-ensemble' | 'tta';

export interface MethodEvaluation {
  /** Each method's scores on the windows. */
  methods: Partial<Record<MethodName, PredictionScores>>;
  /** Each method's uncertainty of every window (what a damaged window's should exceed). */
  uncertainty: Partial<Record<MethodName, Float64Array>>;
  /** The cascade's exits on their own (every window through every exit). */
  perExit: PredictionScores[];
}

/** Every method's predictions of `windows` (damaged by `perturbation`), scored. */
export function evaluateMethods(
  models: EvaluatedModels,
  data: FoldData,
  events: EventSet,
  windows: Uint32Array,
  perturbation: Perturbation,
  seed: number,
  subjectNames: readonly string[],
): MethodEvaluation {
  const E = events.names.length;
  const truth = Uint8Array.from(windows, (w) => events.eventOfClass[data.label(w)] + 1);
  const subjects = Uint16Array.from(windows, (w) => data.subject(w));
  const score = (set: PredictionSet, macs?: number[]) => scorePredictions(set, truth, subjects, subjectNames, events.names, macs);
  const methods: MethodEvaluation['methods'] = {};
  const uncertainty: MethodEvaluation['uncertainty'] = {};
  const add = (name: MethodName, set: PredictionSet, macs?: number[]) => {
    methods[name] = score(set, macs);
    uncertainty[name] = set.uncertainty;
  };
  const exits = cascadeExitPredictions(models.cascade, E, data, windows, perturbation, seed);
  add('ur2m-cascade', applyThresholds(exits, models.thresholds), models.exitMacs);
  if (models.evidential) add('evidential', cascadeExitPredictions(models.evidential, E, data, windows, perturbation, seed)[0]);
  if (models.softmax.length > 0) {
    add('softmax', averagedSoftmaxPredictions(models.softmax.slice(0, 1), E, data, windows, perturbation, seed));
    if (models.ensemble) add('deep-ensemble', averagedSoftmaxPredictions(models.softmax, E, data, windows, perturbation, seed));
    if (models.tta) {
      const copies = { count: models.tta.copies, sigma: models.tta.sigma, seed: Random.derive(seed, 0x77a).uint32() };
      add('tta', averagedSoftmaxPredictions(models.softmax.slice(0, 1), E, data, windows, perturbation, seed, copies));
    }
  }
  return { methods, uncertainty, perExit: exits.map((set) => score(set)) };
}

export interface RobustnessLevel {
  perturbation: Perturbation;
  label: string;
  windows: number;
  methods: Partial<
    Record<
      MethodName,
      {
        eventF1: number;
        accuracy: number;
        ece: number;
        meanUncertainty: number;
        /** How well u tells these damaged windows from the same windows clean (AUROC; null for the clean level). */
        uncertaintyAuroc: number | null;
        exitRates: number[] | null;
      }
    >
  >;
}

/**
 * UR2M's robustness tests: each method on a uniform subsample of the test windows, clean and under every noise
 * and missing-signal level. A trustworthy method's uncertainty rises with the damage.
 */
export function robustness(
  models: EvaluatedModels,
  data: FoldData,
  events: EventSet,
  settings: { noise: number[]; missing: number[]; maxWindows: number },
  seed: number,
  subjectNames: readonly string[],
): RobustnessLevel[] {
  const picked = uniformSubsample(data.test, settings.maxWindows, Random.derive(seed, 0x20b));
  const levels: Perturbation[] = [
    { kind: 'clean' },
    ...settings.noise.map((sigma): Perturbation => ({ kind: 'noise', sigma })),
    ...settings.missing.map((fraction): Perturbation => ({ kind: 'missing', fraction })),
  ];
  let clean: MethodEvaluation['uncertainty'] = {};
  return levels.map((perturbation, level) => {
    const evaluation = evaluateMethods(models, data, events, picked, perturbation, Random.derive(seed, 0x3000 + level).uint32(), subjectNames);
    if (level === 0) clean = evaluation.uncertainty;
    const methods: RobustnessLevel['methods'] = {};
    for (const [name, scores] of Object.entries(evaluation.methods) as [MethodName, PredictionScores][]) {
      const damaged = evaluation.uncertainty[name];
      const reference = clean[name];
      methods[name] = {
        eventF1: scores.eventF1,
        accuracy: scores.accuracy,
        ece: scores.ece,
        meanUncertainty: scores.meanUncertainty,
        uncertaintyAuroc: level > 0 && damaged && reference ? auroc(damaged, reference) : null,
        exitRates: scores.exits?.rates ?? null,
      };
    }
    return { perturbation, label: perturbationLabel(perturbation), windows: picked.length, methods };
  });
}
