import { readFileSync } from 'node:fs';
import type { Log } from '../common/log';
import type { EvaluationContext, EvaluationSources } from './context';
import { evaluateFold, type FoldResult, type FoldSettings } from './fold-evaluation';

/**
 * One fold's evaluation timed in whichever thread runs it: shared by the pool (fold-pool.ts) and its worker entry,
 * so the worker does not import the pool that starts it.
 */

/** What each worker thread loads its own evaluation context from. */
export interface FoldPoolData {
  sources: EvaluationSources;
  settings: FoldSettings;
}

export interface TimedFold {
  result: FoldResult;
  /** CPU seconds of the thread that trained the fold (null where the OS does not say). */
  cpuSeconds: number | null;
  /** From the thread taking the fold to its result (not the time it waited for a free thread). */
  wallSeconds: number;
}

export async function evaluateFoldTimed(context: EvaluationContext, fold: string, settings: FoldSettings, log: Log): Promise<TimedFold> {
  const started = performance.now();
  const before = threadCpuSeconds();
  const result = await evaluateFold(context.store, context.deployed, fold, settings, log);
  const after = threadCpuSeconds();
  return { result, cpuSeconds: before === null || after === null ? null : after - before, wallSeconds: (performance.now() - started) / 1000 };
}

/**
 * User + system CPU of the calling OS thread, from /proc/thread-self/stat (Linux). process.cpuUsage() counts every
 * thread of the process, so with two folds training side by side it would charge each with both.
 */
function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15 (clock ticks, 100 Hz).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
