/**
 * What every dataset adapter yields: one continuous multichannel recording of one subject, in physical units,
 * at the dataset's native rate. Windowing, resampling and labelling policies work on this shape only, so a new
 * dataset needs an adapter and nothing else.
 */
export interface Recording {
  /** Grouping key for folds: the participant (SisFall, HAPT), the record (MIT-BIH) or the official split (ECG5000). */
  subject: string;
  /** Stable, unique name inside the dataset, e.g. `SA01/F05_SA01_R01`; recordings are yielded sorted by it. */
  name: string;
  rateHz: number;
  /** Channel names in `data` order (a subset of the adapter's `channels`, as requested). */
  channels: readonly string[];
  /** Samples per channel. */
  length: number;
  /** Interleaved samples: `data[t * channels.length + c]`, physical units (g, deg/s, mV, ...). */
  data: Float32Array;
  /** Label of the whole recording (SisFall trial: `fall` or `adl`; ECG5000 beat class). */
  recordingLabel?: string;
  /** Labelled stretches `[start, end)` in samples (HAPT activities). Unlabelled samples are not covered. */
  segments?: readonly LabelledSegment[];
  /** Point events in samples (MIT-BIH beats at the R peak, the SisFall impact). */
  events?: readonly LabelledEvent[];
}

export interface LabelledSegment {
  start: number;
  end: number;
  label: string;
}

export interface LabelledEvent {
  at: number;
  label: string;
}

export interface ChannelInfo {
  name: string;
  unit: string;
  /** One raw sensor count in `unit`, where the dataset defines the ADC conversion (the device is fed counts). */
  perCount?: number;
}

export interface AdapterOptions {
  /** Channels to return, by name; the adapter's `defaultChannels` when absent. */
  channels?: readonly string[];
  /** Only these subjects (by `Recording.subject`); all when absent. */
  subjects?: readonly string[];
}

export interface DatasetAdapter {
  id: string;
  nativeRateHz: number;
  channels: readonly ChannelInfo[];
  defaultChannels: readonly string[];
  /** Every label the adapter can emit, in a fixed order (the class index order of window stores). */
  labels: readonly string[];
  /** Named subject splits, e.g. MIT-BIH `ds1-ds2` -> { train: [...], test: [...] }. */
  splits: Readonly<Record<string, { train: readonly string[]; test: readonly string[] }>>;
  /**
   * Yields recordings sorted by name from an extracted archive rooted at `root` (the folder that holds the
   * dataset's top-level directory contents). Parse errors throw `DataFormatError` naming file and line.
   */
  recordings(root: string, options?: AdapterOptions): AsyncGenerator<Recording>;
}
