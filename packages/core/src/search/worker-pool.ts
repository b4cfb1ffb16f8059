import * as path from 'node:path';
import { UserError } from '../common/errors';
import { createJobPool } from '../common/job-pool';
import type { TrialDataSpec, TrialOutcome, TrialRequest } from './trial';
import { TrialRunner } from './trial-runner';

export interface TrialExecutor {
  run(request: TrialRequest): Promise<TrialOutcome>;
  close(): Promise<void>;
}

/**
 * Runs trials on `workers` threads, each with its own copy of the window store; results do not depend on which
 * thread ran a trial (each trial is seeded by its request). One worker runs in-process, which keeps stack traces
 * and avoids a second copy of the data.
 */
export function createTrialExecutor(data: TrialDataSpec, workers: number): TrialExecutor {
  const pool = createJobPool<TrialRequest, TrialOutcome>({
    workers,
    entry: path.join(__dirname, 'trial-worker.js'),
    workerData: data,
    local: () => {
      const runner = new TrialRunner(data);
      return (request) => runner.run(request);
    },
  });
  return {
    run: (request) =>
      pool.run(request).catch((error: unknown) => {
        throw error instanceof UserError ? error : new Error(`trial ${request.key}: ${(error as Error).message}`);
      }),
    close: () => pool.close(),
  };
}
