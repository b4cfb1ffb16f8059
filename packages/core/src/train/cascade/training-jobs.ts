import { Random } from '../../common/random';
import { readWindowStore, type LoadedWindowStore } from '../../data/window-store';
import type { ModelIR } from '../../model/ir';
import type { EvidenceRegularizer } from '../evidential/loss';
import type { WindowManifest } from '../../data/window-manifest';
import { FoldData } from '../dataset';
import type { Metrics } from '../metrics';
import type { NetworkWeights } from '../network';
import { IrTrainable } from '../trainer';
import type { Precision } from '../wasm/arena';
import type { LossWeighting, Sampling } from '../../spec/types';
import { runTraining, type EpochProgress, type Monitor, type StopReason } from '../training-loop';
import { CascadeNetwork, type CascadeWeights } from './cascade-network';
import { EvidentialTrainable } from './evidential-trainable';
import { eventClassWeights, eventHeadTargets, eventLossWeights, resolveEvents, type EventSet } from './events';

/** Which windows every training job of one train-cascade run sees: the same fold, split and subsample. */
export interface CascadeDataSpec {
  windowDir: string;
  fold: string;
  seed: number;
  validationSubjects: number | null;
  validationBy: 'subjects' | 'windows';
  maxTrainWindows: number;
  maxValidationWindows: number;
  sampling: Sampling;
  /** Resolved event names (resolveEvents). */
  events: string[];
}

export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  weightedLoss: LossWeighting;
  lambda: number;
  annealEpochs: number;
  regularizer: EvidenceRegularizer;
  /** The engine's element type (spec train.precision). */
  precision: Precision;
}

/**
 * One independent training of a train-cascade run. `evidential`: a cascade (or, without exits, a single evidential
 * model) under the evidential loss, stage by stage or jointly. `softmax`: a plain model over the (E + 1) classes
 * (the softmax baseline and each deep-ensemble member).
 */
export type TrainingJob =
  | { id: string; kind: 'evidential'; ir: ModelIR; seed: number; training: 'stagewise' | 'joint'; settings: TrainingSettings }
  | { id: string; kind: 'softmax'; ir: ModelIR; seed: number; settings: TrainingSettings };

export interface StageSummary {
  stage: number | 'joint';
  bestEpoch: number;
  epochsRun: number;
  stopReason: StopReason;
  validation: Metrics | null;
  samplesPerSecond: number;
  seconds: number;
}

export interface TrainingJobResult {
  id: string;
  weights: CascadeWeights | NetworkWeights;
  stages: StageSummary[];
  seconds: number;
}

/**
 * The fold every job of a run trains on (the same in each thread): validation subjects chosen to cover the events,
 * so early stopping and the exit thresholds see each of them.
 */
export function cascadeFoldData(store: LoadedWindowStore<WindowManifest>, spec: Omit<CascadeDataSpec, 'windowDir' | 'events'>, events: EventSet): FoldData {
  return new FoldData(store, {
    fold: spec.fold,
    seed: spec.seed,
    validationSubjects: spec.validationSubjects ?? undefined,
    validationBy: spec.validationBy,
    validationClasses: events.classes,
    maxTrainWindows: spec.maxTrainWindows,
    maxValidationWindows: spec.maxValidationWindows,
    sampling: spec.sampling,
  });
}

/** Loads the fold once per thread and runs jobs on it. */
export class CascadeJobRunner {
  private loaded: { store: LoadedWindowStore<WindowManifest>; data: FoldData; events: EventSet } | null = null;

  constructor(private readonly spec: CascadeDataSpec) {}

  async fold(): Promise<{ data: FoldData; events: EventSet }> {
    if (!this.loaded) {
      const store = await readWindowStore<WindowManifest>(this.spec.windowDir);
      const events = resolveEvents(
        store.manifest.classes,
        this.spec.events,
        store.manifest.classes.map(() => 0),
      );
      this.loaded = { store, data: cascadeFoldData(store, this.spec, events), events };
    }
    return this.loaded;
  }

  /** Runs one job; `progress` gets a line per epoch. */
  async run(job: TrainingJob, progress: (line: string) => void = () => undefined): Promise<TrainingJobResult> {
    const started = performance.now();
    const { data, events } = await this.fold();
    const monitor: Monitor = events.names.length === 1 ? 'positive-f1' : 'event-f1';
    const { settings } = job;
    const onEpoch = (what: string) => (p: EpochProgress) =>
      progress(
        `${job.id}${what}: epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toFixed(4)}, validation ${monitor === 'event-f1' ? 'event F1' : 'F1'} ${p.validationScore === null ? '–' : p.validationScore.toFixed(3)}` +
          `${p.improved ? ' (best so far)' : ''}, ${Math.round(p.samplesPerSecond)} windows/s`,
      );
    const common = { epochs: settings.epochs, batchSize: settings.batchSize, patience: settings.patience, monitor, evaluateTest: false };
    const stages: StageSummary[] = [];
    const summarize = (stage: StageSummary['stage'], result: ReturnType<typeof runTraining<unknown>>) =>
      stages.push({
        stage,
        bestEpoch: result.bestEpoch,
        epochsRun: result.history.length,
        stopReason: result.stopReason,
        validation: result.validation,
        samplesPerSecond: result.samplesPerSecond,
        seconds: result.seconds,
      });

    if (job.kind === 'softmax') {
      const targets = eventHeadTargets(events, 'softmax');
      const weights = eventClassWeights(events, data, settings.weightedLoss);
      const model = new IrTrainable(job.ir, data, targets, weights, settings.learningRate, settings.precision);
      model.network.init(Random.derive(job.seed, 0).uint32());
      const result = runTraining(model, data, targets, weights, { ...common, seed: job.seed, onEpoch: onEpoch('') });
      summarize(0, result);
      return { id: job.id, weights: result.weights, stages, seconds: (performance.now() - started) / 1000 };
    }

    const network = new CascadeNetwork(job.ir, settings.precision);
    network.init(Random.derive(job.seed, 0).uint32());
    const targets = eventHeadTargets(events, 'evidential');
    const lossWeights = eventLossWeights(events, data, settings.weightedLoss);
    const plan: (number | 'joint')[] = job.training === 'joint' ? ['joint'] : Array.from({ length: network.predictions }, (_, k) => k);
    for (const stage of plan) {
      const model = new EvidentialTrainable(network, data, events, lossWeights, {
        stage,
        lambda: settings.lambda,
        regularizer: settings.regularizer,
        annealEpochs: settings.annealEpochs,
        learningRate: settings.learningRate,
      });
      // Each stage shuffles with its own stream; the best weights of a stage stay in `network` for the next.
      const label = plan.length > 1 ? ` stage ${stage === 'joint' ? 'joint' : `${stage + 1}/${plan.length}`}` : '';
      const result = runTraining(model, data, targets, [], {
        ...common,
        seed: Random.derive(job.seed, 1 + (stage === 'joint' ? 0 : stage)).uint32(),
        onEpoch: onEpoch(label),
      });
      summarize(stage, result);
    }
    return { id: job.id, weights: network.exportWeights(), stages, seconds: (performance.now() - started) / 1000 };
  }
}
