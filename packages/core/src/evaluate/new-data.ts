import { UserError } from '../common/errors';
import { getAdapter } from '../data/adapters';
import { decimate } from '../data/resample';
import { rrChannels, rrIntervalsAt, rrPhysical } from '../data/rr-features';
import { zScoreWindow } from '../data/window-store';
import { slidingGeometry } from '../data/windowing';
import type { ModelIR } from '../model/ir';
import type { QuantizedModel } from '../quantize/quantized-model';
import { readQuantizedModel } from '../quantize/quantized-files';
import { readCascadeModel } from '../train/cascade/cascade-model-file';
import { labelPolicy, planWindows, resampleLabels } from '../data/window-plan';
import type { NormalizedWindow } from '../spec/types';
import { CascadeNetwork, type CascadeWeights } from '../train/cascade/cascade-network';
import { applyThresholds, cascadeExitPredictions, type PredictionSet } from '../train/cascade/predictions';
import type { WindowSource } from '../train/window-source';
import { int8CascadePredictions } from './int8-predictions';

/** One recording of a local folder, windowed as the experiment windows its dataset (decimated, float32 like the store). */
export interface LocalRecording {
  name: string;
  subject: string;
  rateHz: number;
  /** Signal channels in `data`. */
  channels: number;
  /** Samples at the window rate. */
  length: number;
  data: Float32Array;
  /** Window starts (samples) and labels from the files, as the window stage would label them (null: unlabelled). */
  windows: { start: number; label: string | null }[];
  /**
   * Channels computed per window and appended after the signals, constant over the window, as the window stage
   * appends them (`window.rrFeatures`: rr_pre, rr_post, rr_local from the recording's beat annotations).
   */
  derived: { names: string[]; values: Float64Array };
}

/**
 * Reads every recording of `folder`, laid out as the dataset's archive (e.g. SisFall's `SA01/F05_SA01_R01.txt`),
 * through the dataset's adapter — so malformed files get its file:line errors — and windows it with the
 * experiment's window settings. `only` keeps one recording by name.
 */
export async function readLocalRecordings(
  folder: string,
  dataset: string,
  window: NormalizedWindow,
  windowLength: number,
  only?: string,
): Promise<LocalRecording[]> {
  const adapter = getAdapter(dataset);
  const factor = adapter.nativeRateHz / window.sampleRateHz;
  const stride = window.mode === 'sliding' ? slidingGeometry(window.lengthSeconds ?? 0, window.overlap, window.sampleRateHz).stride : null;
  const policy = labelPolicy(window);
  const rr = window.mode === 'beat' && window.rrFeatures ? rrChannels(window.sampleRateHz).map((c) => c.name) : [];
  const recordings: LocalRecording[] = [];
  for await (const recording of adapter.recordings(folder, { channels: window.channels })) {
    if (only !== undefined && recording.name !== only) continue;
    const data = decimate(recording.data, recording.channels.length, factor);
    const length = data.length / recording.channels.length;
    const resampled = resampleLabels(recording, factor, length);
    let labelled = planWindows(window, resampled, windowLength, stride, policy, adapter.labels[0]);
    const derived: number[] = [];
    if (rr.length > 0) {
      // The window stage's rule: every annotated beat is an R peak, and a beat without both neighbours has no window.
      const peaks = (resampled.events ?? []).map((e) => e.at);
      labelled = labelled.filter((w) => {
        const intervals = rrIntervalsAt(peaks, w.event!);
        if (intervals !== null) derived.push(...rrPhysical(intervals, window.sampleRateHz));
        return intervals !== null;
      });
    }
    recordings.push({
      name: recording.name,
      subject: recording.subject,
      rateHz: window.sampleRateHz,
      channels: recording.channels.length,
      length,
      data,
      windows: labelled.map((w) => ({ start: w.start, label: window.labels.map[w.label] ?? w.label })),
      derived: { names: rr, values: Float64Array.from(derived) },
    });
  }
  if (only !== undefined && recordings.length === 0)
    throw new UserError(`${folder}: no recording named ${JSON.stringify(only)} (names look like SA01/F05_SA01_R01)`);
  if (recordings.length === 0) throw new UserError(`${folder}: no ${dataset} recordings found (the folder must be laid out like the dataset's archive)`);
  return recordings;
}

/** The trained float cascade (train-cascade) and its int8 model (quantize), as deployed. */
export interface TrainedModels {
  ir: ModelIR;
  weights: CascadeWeights;
  thresholds: number[];
  events: string[];
  eventClasses: number[];
  classes: string[];
  normalization: { mean: number[]; std: number[] };
  int8: QuantizedModel | null;
}

export async function loadTrainedModels(cascadeDir: string, quantizeDir: string | null): Promise<TrainedModels> {
  const { ir, weights, thresholds, events, eventClasses, classes, normalization } = await readCascadeModel(cascadeDir);
  const int8 = quantizeDir ? await readQuantizedModel(quantizeDir) : null;
  return { ir, weights, thresholds, events, eventClasses, classes, normalization, int8 };
}

/** A recording's windows z-scored with the model's stored normalisation (the training folds' statistics). */
export class RecordingWindowSource implements WindowSource {
  readonly windowSize: number;
  readonly channels: number;
  private readonly mean: Float64Array;
  private readonly invStd: Float64Array;

  constructor(
    private readonly recording: LocalRecording,
    readonly windowLength: number,
    normalization: { mean: readonly number[]; std: readonly number[] },
  ) {
    const derived = recording.derived.names.length;
    this.channels = recording.channels + derived;
    this.windowSize = windowLength * this.channels;
    this.mean = Float64Array.from(normalization.mean);
    this.invStd = Float64Array.from(normalization.std, (s) => (s > 0 ? 1 / s : 1));
    if (this.mean.length !== this.channels) {
      const extra = derived > 0 ? ` + ${derived} computed (${recording.derived.names.join(', ')})` : '';
      throw new UserError(
        `${recording.name}: ${recording.channels} signal channel(s)${extra}, but the model was trained on ${this.mean.length} channels; ` +
          'evaluate with the experiment whose spec trained the model',
      );
    }
  }

  fill(window: number, out: Float64Array): void {
    const { recording } = this;
    const S = recording.channels;
    const D = this.channels - S;
    zScoreWindow(recording.data, recording.windows[window].start, S, recording.derived.values, window * D, D, this.windowLength, this.mean, this.invStd, out);
  }

  normalizedZero(): Float64Array {
    return Float64Array.from(this.mean, (m, c) => -m * this.invStd[c]);
  }

  label(): number {
    return 0;
  }

  subject(): number {
    return 0;
  }
}

/** The deployed cascade's answers for every window of a recording: float (thresholds as trained) and int8 when there is a quantised model. */
export function predictRecording(models: TrainedModels, recording: LocalRecording): { float: PredictionSet; int8: PredictionSet | null } {
  const source = new RecordingWindowSource(recording, models.ir.input.length, models.normalization);
  const windows = Uint32Array.from(recording.windows.keys());
  const network = new CascadeNetwork(models.ir);
  network.importWeights(models.weights);
  const float = applyThresholds(cascadeExitPredictions(network, models.events.length, source, windows, { kind: 'clean' }, 0), models.thresholds);
  const int8 = models.int8 ? int8CascadePredictions(models.int8, source, windows, models.events.length).cascade : null;
  return { float, int8 };
}
