import { UserError } from '../../common/errors';
import type { LossWeighting } from '../../spec/types';
import type { FoldData } from '../dataset';
import type { HeadTargets } from '../head-targets';

/**
 * The one-vs-all events a cascade detects, mapped onto the window store's classes. Each window belongs to at most
 * one event (its class), so the events also define a (E + 1)-class problem — class 0 "no event", class 1 + j event
 * j — which is how predictions are scored and how the softmax baselines are trained.
 */
export interface EventSet {
  names: string[];
  /** Store class index of each event. */
  classes: number[];
  /** Per store class: its event index, or −1 for "no event". */
  eventOfClass: number[];
}

/**
 * The spec's `train-cascade.events`, or by default: with two classes the rarer one in the fold's training windows
 * (the falls), with more every class but the most frequent.
 */
export function resolveEvents(storeClasses: readonly string[], wanted: readonly string[] | null, trainCounts: readonly number[]): EventSet {
  let names: string[];
  if (wanted) {
    for (const name of wanted) {
      if (!storeClasses.includes(name)) {
        throw new UserError(`train-cascade.events: no class "${name}" in the window store; classes: ${storeClasses.join(', ')}`);
      }
    }
    names = [...wanted];
  } else {
    const byCount = storeClasses.map((name, c) => ({ name, n: trainCounts[c] ?? 0 })).sort((a, b) => a.n - b.n);
    names = storeClasses.length === 2 ? [byCount[0].name] : byCount.slice(0, -1).map((c) => c.name);
    names.sort((a, b) => storeClasses.indexOf(a) - storeClasses.indexOf(b));
  }
  const classes = names.map((name) => storeClasses.indexOf(name));
  const eventOfClass = storeClasses.map((_, c) => classes.indexOf(c));
  return { names, classes, eventOfClass };
}

/** The (E + 1)-class targets of an event set, in the form the shared training loop scores. */
export function eventHeadTargets(events: EventSet, head: 'evidential' | 'softmax'): HeadTargets {
  return {
    head,
    classes: events.names.length + 1,
    positiveClass: 1,
    target: (label) => events.eventOfClass[label] + 1,
  };
}

/**
 * Per event, the loss weights of its negatives and positives over the training windows: n / (2·n_y), its square root
 * under `sqrt`, or 1 with weighting off. The square root keeps a rare event's push (a 1.5 % event: 33 vs 0.51, a
 * 66:1 ratio) at about 8:1, so the detector no longer trades most of its precision for recall.
 */
export function eventLossWeights(events: EventSet, data: FoldData, weighted: LossWeighting): [number, number][] {
  const counts = data.counts(data.train);
  const total = counts.reduce((a, b) => a + b, 0);
  return events.classes.map((c, j) => {
    const positives = counts[c];
    if (positives === 0) throw new UserError(`train-cascade.events: event "${events.names[j]}" has no training windows in fold ${data.fold}`);
    if (!weighted) return [1, 1];
    const negatives = total - positives;
    return [soften(negatives > 0 ? total / (2 * negatives) : 0, weighted), soften(total / (2 * positives), weighted)];
  });
}

/** Class weights n / (k·n_i) of the (E + 1)-class problem (softmax baselines), their square roots, or all ones. */
export function eventClassWeights(events: EventSet, data: FoldData, weighted: LossWeighting): number[] {
  const counts = new Array<number>(events.names.length + 1).fill(0);
  data.counts(data.train).forEach((n, label) => (counts[events.eventOfClass[label] + 1] += n));
  if (!weighted) return counts.map(() => 1);
  const total = counts.reduce((a, b) => a + b, 0);
  const present = counts.filter((n) => n > 0).length;
  return counts.map((n) => (n > 0 ? soften(total / (present * n), weighted) : 0));
}

/** A class weight as the spec's weighting uses it: itself, or its square root under `sqrt`. */
function soften(weight: number, weighting: LossWeighting): number {
  return weighting === 'sqrt' ? Math.sqrt(weight) : weight;
}
