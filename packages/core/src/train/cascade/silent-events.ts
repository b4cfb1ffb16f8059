import type { EvidenceFunction } from '../../model/ir';
import type { PredictionSet } from './predictions';
import { exitName } from './report';

/** An event that occurs among the validation windows but that one exit decides for none of them (nor any other window). */
export interface SilentEvent {
  exit: number;
  event: string;
  /** Validation windows that are this event. */
  support: number;
  windows: number;
}

/**
 * Every (exit, event) pair where the exit never decides the event on the validation windows although some of them are
 * that event. The cascade then looks cheaper or even better than its deep exit for a reason that has nothing to do
 * with uncertainty: with ReLU evidence trained stage-wise, HAPT's deep exit lost walking_upstairs this way in every
 * fold (README, HAPT) and evaluate reported it only as an F1 of 0.
 */
export function silentEvents(exits: readonly PredictionSet[], truth: Uint8Array, events: readonly string[]): SilentEvent[] {
  const silent: SilentEvent[] = [];
  exits.forEach((set, k) => {
    const decided = new Uint32Array(events.length + 1);
    const support = new Uint32Array(events.length + 1);
    for (let i = 0; i < set.windows; i++) {
      decided[set.cls[i]]++;
      support[truth[i]]++;
    }
    events.forEach((event, j) => {
      if (support[j + 1] > 0 && decided[j + 1] === 0) silent.push({ exit: k, event, support: support[j + 1], windows: set.windows });
    });
  });
  return silent;
}

/** One log line per silent pair, naming the exit as the reports do and, for ReLU evidence, the likely cause. */
export function silentEventWarnings(silent: readonly SilentEvent[], exits: number, evidence: EvidenceFunction): string[] {
  const name = (k: number) => (exits === 3 ? `the ${exitName(k, exits)} exit` : exitName(k, exits));
  const cause =
    evidence === 'relu'
      ? ' A ReLU evidence unit below zero on every window gets no gradient and never recovers; `training: joint` or `evidence: exp` avoids it.'
      : '';
  return silent.map(
    (s) =>
      `warning: ${name(s.exit)} decides ${s.event} on none of the ${s.windows} validation windows (${s.support} of them ${s.support === 1 ? 'is' : 'are'} ${s.event}).${cause}`,
  );
}
