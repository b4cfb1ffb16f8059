import * as path from 'node:path';
import { createJobPool, type JobPool } from '../common/job-pool';
import type { EvaluationContext, EvaluationSources } from './context';
import type { FoldSettings } from './fold-evaluation';
import { evaluateFoldTimed, type TimedFold } from './timed-fold';

/**
 * Evaluates folds on `workers` threads, each loading its own copy of the window store and the deployed cascade
 * from `sources`; with one worker they run in-process on `local`. A fold's result does not depend on the thread (each fold is seeded
 * by its own name), so the same folds give byte-identical results at any worker count.
 */
export function createFoldPool(
  local: EvaluationContext,
  settings: FoldSettings,
  workers: number,
  sources: EvaluationSources | null,
): JobPool<string, TimedFold> {
  if (workers > 1 && sources === null) throw new Error('createFoldPool: worker threads need the evaluation sources to load');
  return createJobPool<string, TimedFold>({
    workers,
    entry: path.join(__dirname, 'fold-worker.js'),
    workerData: { sources, settings },
    local: () => (fold, progress) => evaluateFoldTimed(local, fold, settings, progress),
  });
}
