import type { Random } from '../common/random';
import { fillWindow, type LoadedWindowStore } from '../data/window-store';
import type { WindowManifest } from '../data/window-manifest';

/** What evaluation needs of windows: z-scored copies, labels and subjects (FoldData is one). */
export interface WindowSource {
  readonly windowLength: number;
  readonly channels: number;
  readonly windowSize: number;
  fill(window: number, out: Float64Array): void;
  /** What a raw reading of 0 becomes after z-scoring, per channel. */
  normalizedZero(): Float64Array;
  label(window: number): number;
  subject(window: number): number;
}

/** At most `max` of `windows`, drawn uniformly so the class balance stays as it is; ascending. */
export function uniformSubsample(windows: Uint32Array, max: number, random: Random): Uint32Array {
  if (windows.length <= max) return windows;
  return Uint32Array.from(random.shuffle(Array.from(windows)).slice(0, max)).sort();
}

/**
 * Windows of a store z-scored with given statistics (a trained model's), picked by subject: for the stages after
 * training, which must see exactly the normalisation the model was trained with.
 */
export class WindowSampler implements WindowSource {
  readonly windowLength: number;
  readonly channels: number;
  private readonly mean: Float64Array;
  private readonly invStd: Float64Array;

  constructor(
    private readonly store: LoadedWindowStore<WindowManifest>,
    normalization: { mean: readonly number[]; std: readonly number[] },
  ) {
    this.windowLength = store.manifest.window.length;
    this.channels = store.manifest.window.channels.length;
    this.mean = Float64Array.from(normalization.mean);
    this.invStd = Float64Array.from(normalization.std, (s) => (s > 0 ? 1 / s : 1));
  }

  get windowSize(): number {
    return this.windowLength * this.channels;
  }

  /** Every window of these subjects, ascending. */
  windowsOf(subjects: readonly string[]): Uint32Array {
    const wanted = new Set(subjects);
    const ids = this.store.manifest.subjects.map((s) => wanted.has(s.id));
    const windows: number[] = [];
    this.store.windowSubject.forEach((s, w) => {
      if (ids[s]) windows.push(w);
    });
    return Uint32Array.from(windows);
  }

  fill(window: number, out: Float64Array): void {
    fillWindow(this.store, window, this.mean, this.invStd, out);
  }

  /** A fresh z-scored copy of one window. */
  sample(window: number): Float64Array {
    const out = new Float64Array(this.windowSize);
    this.fill(window, out);
    return out;
  }

  normalizedZero(): Float64Array {
    return Float64Array.from(this.mean, (m, c) => -m * this.invStd[c]);
  }

  label(window: number): number {
    return this.store.windowLabel[window];
  }

  subject(window: number): number {
    return this.store.windowSubject[window];
  }
}
