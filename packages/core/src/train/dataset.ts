import { UserError } from '../common/errors';
import { Random } from '../common/random';
import { fillWindow, type LoadedWindowStore } from '../data/window-store';
import type { WindowManifest } from '../data/window-manifest';

export interface FoldDataOptions {
  /** Fold index into the manifest's folds, or its name (the test subject under leave-one-subject-out). */
  fold: number | string;
  /** Picks the validation subjects and the subsample. */
  seed?: number;
  /**
   * Training subjects held out for validation (early stopping, model selection). Default: 2, but at most a third of
   * the fold's training subjects (at least 1), and always leaving one to train on. 0 means no validation set.
   */
  validationSubjects?: number;
  /**
   * Classes the validation subjects should have windows of (an F1 on a subject without them says nothing).
   * Default: the fold's minority class. Subjects are preferred by how many of these classes they cover.
   */
  validationClasses?: readonly number[];
  /** Cap on training windows (multi-fidelity search); stratified, the minority class kept whole if it fits. */
  maxTrainWindows?: number;
  /** Cap on validation windows, stratified the same way. */
  maxValidationWindows?: number;
  /** How the caps draw: balanced shares per class (default) or the data's class ratio. */
  sampling?: 'balanced' | 'proportional';
  /**
   * What validation holds out: whole training subjects (default), or a stratified fifth of every training subject's
   * windows (`windows`; then every training subject both trains and validates, `validationSubjects` is not used).
   * For data whose rare classes sit in a few subjects (MIT-BIH DS1: record 209 has 41 % of the S beats, 208 90 % of
   * the F beats), where two held-out subjects either starve training of a class or leave validation almost none.
   */
  validationBy?: 'subjects' | 'windows';
}

/**
 * The windows of one fold, split by subject into train / inner validation / test. The fold's test subjects are
 * never in train or validation; validation subjects come from the fold's training subjects only, preferring ones
 * that have windows of the classes that matter (default the minority class: an F1 on a subject without falls says
 * nothing). Windows are filled z-scored
 * with the fold's normalisation (mean/std over the fold's training subjects, as the window stage computed them).
 */
export class FoldData {
  readonly fold: string;
  readonly classes: readonly string[];
  readonly windowLength: number;
  readonly channels: number;
  /** Least frequent class among the fold's training windows (the fall class on SisFall). */
  readonly minorityClass: number;
  readonly trainSubjects: readonly string[];
  readonly validationSubjects: readonly string[];
  readonly testSubjects: readonly string[];
  /** Window indices into the store, ascending. */
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly test: Uint32Array;
  private readonly mean: Float64Array;
  private readonly invStd: Float64Array;

  constructor(
    private readonly store: LoadedWindowStore<WindowManifest>,
    options: FoldDataOptions,
  ) {
    const manifest = store.manifest;
    const foldIndex = typeof options.fold === 'number' ? options.fold : manifest.folds.findIndex((f) => f.name === options.fold);
    const fold = manifest.folds[foldIndex];
    if (!fold) {
      throw new UserError(`fold ${JSON.stringify(options.fold)} does not exist; the window store has ${manifest.folds.map((f) => f.name).join(', ')}`);
    }
    const seed = options.seed ?? 0;
    this.fold = fold.name;
    this.classes = manifest.classes;
    this.windowLength = manifest.window.length;
    this.channels = manifest.window.channels.length;
    this.minorityClass = leastFrequent(fold.trainCounts);
    this.mean = Float64Array.from(fold.normalization.mean);
    this.invStd = Float64Array.from(fold.normalization.std, (s) => (s > 0 ? 1 / s : 1));

    const wanted = options.validationSubjects ?? Math.min(2, Math.max(1, Math.floor(fold.train.length / 3)));
    const perSubject = new Map(manifest.subjects.map((s) => [s.id, s]));
    const wantedClasses = options.validationClasses ?? [this.minorityClass];
    const coverage = (id: string) => wantedClasses.filter((c) => (perSubject.get(id)?.perClass[c] ?? 0) > 0).length;
    const pool = [...fold.train].sort();
    const chooser = Random.derive(seed, 0x5a11d);
    // Most classes covered first; a seeded shuffle within each level.
    const ranked: string[] = [];
    for (let level = wantedClasses.length; level >= 0; level--) ranked.push(...chooser.shuffle(pool.filter((s) => coverage(s) === level)));
    const byWindows = options.validationBy === 'windows' && pool.length > 0;
    const validation = byWindows ? [] : ranked.slice(0, Math.max(0, Math.min(wanted, pool.length - 1))).sort();
    // One training subject (ECG5000's official split: "train" and "test"): no subject can be spared, so a
    // stratified, seeded share of its windows is held out instead — the subject is then in both lists, its
    // windows in one only. `validationBy: windows` does the same with every training subject.
    const splitWindows = byWindows || (validation.length === 0 && wanted > 0 && pool.length === 1);
    this.validationSubjects = splitWindows ? [...pool] : validation;
    this.trainSubjects = pool.filter((s) => !validation.includes(s));
    this.testSubjects = [...fold.test].sort();

    const role = new Int8Array(manifest.subjects.length).fill(-1);
    manifest.subjects.forEach((s, i) => {
      if (this.trainSubjects.includes(s.id)) role[i] = 0;
      else if (validation.includes(s.id)) role[i] = 1;
      else if (this.testSubjects.includes(s.id)) role[i] = 2;
    });
    const lists: number[][] = [[], [], []];
    const subjectOf = store.windowSubject;
    for (let w = 0; w < subjectOf.length; w++) {
      const r = role[subjectOf[w]];
      if (r >= 0) lists[r].push(w);
    }
    if (splitWindows) [lists[0], lists[1]] = holdOut(lists[0], store.windowLabel, manifest.classes.length, VALIDATION_SHARE, Random.derive(seed, 0x7a3));
    const draw = options.sampling === 'proportional' ? proportionalSubsample : subsample;
    this.train = draw(lists[0], store.windowLabel, manifest.classes.length, options.maxTrainWindows, Random.derive(seed, 0x7a1));
    this.validation = draw(lists[1], store.windowLabel, manifest.classes.length, options.maxValidationWindows, Random.derive(seed, 0x7a2));
    this.test = Uint32Array.from(lists[2]);
  }

  get windowSize(): number {
    return this.windowLength * this.channels;
  }

  label(window: number): number {
    return this.store.windowLabel[window];
  }

  /** Per-class window counts of a list of windows. */
  counts(windows: Uint32Array): number[] {
    const counts = new Array<number>(this.classes.length).fill(0);
    for (const w of windows) counts[this.store.windowLabel[w]]++;
    return counts;
  }

  /** What a raw reading of 0 becomes after z-scoring, per channel: a lost signal (UR2M's "missing" robustness test). */
  normalizedZero(): Float64Array {
    return Float64Array.from(this.mean, (m, c) => -m * this.invStd[c]);
  }

  /** Subject index (into the window store's subjects) of a window. */
  subject(window: number): number {
    return this.store.windowSubject[window];
  }

  /**
   * Copies window `window` into `out` ([T·C], row-major), z-scored per channel with the fold's statistics (computed
   * in float64; a Float32Array, such as a float32 network's input buffer, rounds each value once when stored).
   */
  fill(window: number, out: Float64Array | Float32Array): void {
    fillWindow(this.store, window, this.mean, this.invStd, out);
  }
}

function leastFrequent(counts: readonly number[]): number {
  let best = -1;
  counts.forEach((n, c) => {
    if (n > 0 && (best < 0 || n < counts[best])) best = c;
  });
  return Math.max(best, 0);
}

/**
 * At most `max` of `windows`, stratified by water-filling: classes from the rarest up each take all their windows
 * or an equal share of what is left, so a minority class that fits in its share is kept whole and the rest of the
 * budget goes to the larger classes. Which windows of a class are kept is drawn from `random`; the result is sorted.
 */
/** Share of a lone training subject's windows held out for validation. */
export const VALIDATION_SHARE = 0.2;

/** Splits windows into (kept, held out), holding out `share` of each class (at least one window of a class with two or more). */
export function holdOut(windows: readonly number[], labels: ArrayLike<number>, classes: number, share: number, random: Random): [number[], number[]] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const w of windows) byClass[labels[w]].push(w);
  const kept: number[] = [];
  const held: number[] = [];
  for (const list of byClass) {
    const shuffled = random.shuffle(list);
    const take = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * share));
    held.push(...shuffled.slice(0, take));
    kept.push(...shuffled.slice(take));
  }
  return [kept.sort((a, b) => a - b), held.sort((a, b) => a - b)];
}

export function subsample(windows: readonly number[], labels: ArrayLike<number>, classes: number, max: number | undefined, random: Random): Uint32Array {
  if (max === undefined || windows.length <= max) return Uint32Array.from(windows);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const w of windows) byClass[labels[w]].push(w);
  const order = byClass
    .map((_, c) => c)
    .filter((c) => byClass[c].length > 0)
    .sort((a, b) => byClass[a].length - byClass[b].length || a - b);
  const kept: number[] = [];
  let budget = max;
  order.forEach((c, i) => {
    const share = Math.floor(budget / (order.length - i));
    const take = Math.min(byClass[c].length, share);
    kept.push(...random.shuffle(byClass[c]).slice(0, take));
    budget -= take;
  });
  return Uint32Array.from(kept.sort((a, b) => a - b));
}

/**
 * A uniform draw of `max` windows: every class keeps (in expectation, and to ±1 window here) its share of the data,
 * so a model trained or calibrated on it sees the real prior of the rare class instead of a balanced one.
 */
export function proportionalSubsample(
  windows: readonly number[],
  labels: ArrayLike<number>,
  classes: number,
  max: number | undefined,
  random: Random,
): Uint32Array {
  if (max === undefined || windows.length <= max) return Uint32Array.from(windows);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const w of windows) byClass[labels[w]].push(w);
  const kept: number[] = [];
  byClass.forEach((list) => kept.push(...random.shuffle(list).slice(0, Math.round((max * list.length) / windows.length))));
  return Uint32Array.from(kept.sort((a, b) => a - b));
}
