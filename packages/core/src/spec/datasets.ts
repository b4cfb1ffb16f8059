import type { DatasetId, FoldScheme, LabelPolicy, WindowMode } from './types';

import { DATASET_IDS } from '../data/registry';

export { DATASET_IDS };

/**
 * What the spec checks need to know about a dataset, without loading its adapter (data/ owns the adapters; this
 * table must agree with them on rates, channel names and split names).
 */
export interface DatasetFacts {
  nativeRateHz: number;
  channels: readonly string[];
  /** The labels its adapter gives windows (before `labels.map`). */
  labels: readonly string[];
  /** Window modes the dataset's labels support. */
  modes: readonly WindowMode[];
  /** Label policies the dataset's labels support. */
  policies: readonly LabelPolicy[];
  /** Named train/test splits usable with `folds.scheme: split`. */
  splits: readonly string[];
  /** Samples per recording when every recording has the same length (ECG5000 beats), else null. */
  recordingSamples: number | null;
  defaults: {
    mode: WindowMode;
    sampleRateHz: number;
    lengthSeconds: number | null;
    overlap: number;
    beatOffset: number;
    /** beat mode: append the RR-interval channels unless the spec says otherwise. */
    rrFeatures: boolean;
    channels: readonly string[];
    policy: LabelPolicy;
    scheme: FoldScheme;
    split: string | null;
    /** The subjects folds are drawn from when the scheme is the default one; null: all of them. */
    subjects: readonly string[] | null;
  };
}

const IMU = ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'] as const;

export const DATASETS: Readonly<Record<DatasetId, DatasetFacts>> = {
  sisfall: {
    nativeRateHz: 200,
    // acc2_* is the second (MMA8451Q) accelerometer on the same waist unit.
    channels: [...IMU, 'acc2_x', 'acc2_y', 'acc2_z'],
    labels: ['adl', 'fall'],
    modes: ['sliding'],
    policies: ['impact', 'recording'],
    splits: [],
    recordingSamples: null,
    // MicroNAS: 100 Hz, 1.2 s windows, 90 % overlap.
    defaults: {
      mode: 'sliding',
      sampleRateHz: 100,
      lengthSeconds: 1.2,
      overlap: 0.9,
      beatOffset: 0.5,
      rrFeatures: false,
      channels: IMU,
      policy: 'impact',
      scheme: 'loso',
      split: null,
      subjects: null,
    },
  },
  mitbih: {
    nativeRateHz: 360,
    channels: ['MLII', 'V1', 'V2', 'V4', 'V5'],
    labels: ['N', 'S', 'V', 'F', 'Q'],
    modes: ['beat'],
    policies: ['beat'],
    splits: ['ds1-ds2'],
    recordingSamples: null,
    // The classic inter-patient DS1/DS2 evaluation; 0.72 s around the R peak, 40 % of it before, with the beat's RR
    // intervals (every competitive inter-patient method uses them; README "MIT-BIH").
    defaults: {
      mode: 'beat',
      sampleRateHz: 360,
      lengthSeconds: 0.72,
      overlap: 0,
      beatOffset: 0.4,
      rrFeatures: true,
      channels: ['MLII'],
      policy: 'beat',
      scheme: 'split',
      split: 'ds1-ds2',
      subjects: null,
    },
  },
  ecg5000: {
    // Nominal: every ECG5000 recording is one beat resampled to 140 samples.
    nativeRateHz: 140,
    channels: ['ecg'],
    labels: ['normal', 'abnormal'],
    modes: ['recording', 'sliding'],
    policies: ['recording'],
    splits: ['train-test'],
    recordingSamples: 140,
    defaults: {
      mode: 'recording',
      sampleRateHz: 140,
      lengthSeconds: null,
      overlap: 0,
      beatOffset: 0.5,
      rrFeatures: false,
      channels: ['ecg'],
      policy: 'recording',
      // The 500 TRAIN beats carry the five classes; the 4,500 derived TEST beats only reconstructed binary labels and
      // are not in the committed sample. Stratified folds over the TRAIN beats run on the sample and the full archive.
      scheme: 'stratified',
      split: null,
      subjects: ['train'],
    },
  },
  hapt_uci: {
    nativeRateHz: 50,
    channels: IMU,
    labels: [
      'walking',
      'walking_upstairs',
      'walking_downstairs',
      'sitting',
      'standing',
      'laying',
      'stand_to_sit',
      'sit_to_stand',
      'sit_to_lie',
      'lie_to_sit',
      'stand_to_lie',
      'lie_to_stand',
    ],
    modes: ['sliding'],
    policies: ['majority', 'centre'],
    splits: ['uci'],
    recordingSamples: null,
    // The UCI HAR convention: 2.56 s (128 samples) with 50 % overlap.
    defaults: {
      mode: 'sliding',
      sampleRateHz: 50,
      lengthSeconds: 2.56,
      overlap: 0.5,
      beatOffset: 0.5,
      rrFeatures: false,
      channels: IMU,
      policy: 'majority',
      scheme: 'loso',
      split: null,
      subjects: null,
    },
  },
};

/** Why a mode or policy needs particular labels: the second half of "does not fit" messages. */
export const MODE_NEEDS: Readonly<Record<WindowMode, string>> = {
  sliding: 'sliding windows need continuous labelled recordings',
  beat: 'beat mode cuts one window around each annotated beat and needs beat annotations',
  recording: 'recording mode makes each recording one window and needs short recordings of equal length',
};

export const POLICY_NEEDS: Readonly<Record<LabelPolicy, string>> = {
  impact: 'impact labels windows around the impact of a fall trial',
  majority: 'majority labels a window by the activity segments covering it',
  centre: 'centre labels a window by the activity segment at its centre',
  beat: 'beat labels a window by its annotated beat',
  recording: "recording labels a window by its recording's label",
};

/** The modes each policy works in (labels come from where the window sits in its recording). */
export const POLICY_MODES: Readonly<Record<LabelPolicy, readonly WindowMode[]>> = {
  impact: ['sliding'],
  majority: ['sliding'],
  centre: ['sliding'],
  beat: ['beat'],
  recording: ['sliding', 'recording'],
};

export function datasetsWith<K extends 'modes' | 'policies'>(kind: K, value: DatasetFacts[K][number]): DatasetId[] {
  return DATASET_IDS.filter((id) => (DATASETS[id][kind] as readonly string[]).includes(value));
}
