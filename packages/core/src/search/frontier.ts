import { silentLog } from '../common/log';
import { runSearchTrials, type SearchPlan } from './program';
import { JournaledTrials, trialContentKey } from './run-schedule';
import type { TrialOutcome, TrialRequest } from './trial';

/** A trial whose inputs are all known, by content key. */
export interface PendingTrial {
  contentKey: string;
  request: TrialRequest;
}

/**
 * The trials the search asks for next, given the results already known: the search program itself is run with
 * `known` as its only source of outcomes, and every trial it requests that is not there is collected and left
 * pending. The program does no I/O and uses no timers (runSearchTrials), so once the microtask queue is empty
 * — a setImmediate later — it cannot advance any further and the collection is complete. Successive halving needs
 * no special case: rung k's entrants are only requested once rung k−1's outcomes are known.
 *
 * Returns the pending trials sorted by content key (the same list in every shard of a round), empty once the
 * search needs nothing more.
 */
export async function pendingTrials(plan: SearchPlan, known: ReadonlyMap<string, TrialOutcome>): Promise<PendingTrial[]> {
  const pending = new Map<string, TrialRequest>();
  const store = {
    get: (key: string) => known.get(key),
    record: () => {
      throw new Error('pendingTrials: a pending trial cannot finish');
    },
  };
  const collector = {
    run: (request: TrialRequest) => {
      pending.set(trialContentKey(request), request);
      return new Promise<TrialOutcome>(() => undefined);
    },
    close: () => Promise.resolve(),
  };
  let state: { done: true } | { failed: unknown } | null = null;
  runSearchTrials(plan, new JournaledTrials(store, collector, silentLog), silentLog).then(
    () => (state = { done: true }),
    (error: unknown) => (state = { failed: error }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  const settled = state as { done: true } | { failed: unknown } | null;
  if (settled && 'failed' in settled) throw settled.failed;
  if (!settled && pending.size === 0) throw new Error('pendingTrials: the search program waits on something other than trials');
  return [...pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([contentKey, request]) => ({ contentKey, request }));
}
