import { readWindowStore, type LoadedWindowStore } from '../data/window-store';
import type { WindowManifest } from '../data/window-manifest';
import { FoldData } from '../train/dataset';
import { trainModel } from '../train/trainer';
import type { TrialDataSpec, TrialOutcome, TrialRequest } from './trial';

/**
 * Runs trials on one thread: loads the window store once and keeps one FoldData per training-set size, since
 * successive halving asks for a few sizes over and over.
 */
export class TrialRunner {
  private store: LoadedWindowStore<WindowManifest> | null = null;
  private readonly folds = new Map<number, FoldData>();

  constructor(private readonly data: TrialDataSpec) {}

  async run(request: TrialRequest): Promise<TrialOutcome> {
    this.store ??= await readWindowStore<WindowManifest>(this.data.windowDir);
    let fold = this.folds.get(request.maxTrainWindows);
    if (!fold) {
      fold = new FoldData(this.store, {
        fold: this.data.fold,
        seed: this.data.seed,
        validationSubjects: this.data.validationSubjects ?? undefined,
        validationBy: this.data.validationBy,
        validationClasses: this.data.validationClasses,
        maxTrainWindows: request.maxTrainWindows,
        maxValidationWindows: this.data.maxValidationWindows,
      });
      this.folds.set(request.maxTrainWindows, fold);
    }
    const result = trainModel(request.ir, fold, {
      seed: request.seed,
      epochs: request.epochs,
      batchSize: request.batchSize,
      learningRate: request.learningRate,
      patience: request.patience,
      classWeighting: request.weightedLoss,
      monitor: request.monitor,
      precision: request.precision,
      positiveClass: request.positiveClass,
      initialWeights: request.initialWeights,
      masks: request.masks?.map((mask) => (mask ? Uint8Array.from(mask) : null)),
    });
    return {
      key: request.key,
      validation: result.validation,
      validationLoss: result.history[result.bestEpoch - 1]?.validationLoss ?? null,
      test: result.test,
      bestEpoch: result.bestEpoch,
      epochsRun: result.history.length,
      stopReason: result.stopReason,
      trainWindows: result.trainWindows,
      history: result.history.map(({ epoch, loss, validationLoss, validationF1 }) => ({ epoch, loss, validationLoss, validationF1 })),
      subjects: { train: [...fold.trainSubjects], validation: [...fold.validationSubjects], test: [...fold.testSubjects] },
      weights: result.weights,
      timing: { seconds: result.seconds, samplesPerSecond: result.samplesPerSecond },
    };
  }
}
