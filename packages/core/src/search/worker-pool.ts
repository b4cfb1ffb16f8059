import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../common/errors';
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
  if (workers <= 1) {
    const runner = new TrialRunner(data);
    return { run: (request) => runner.run(request), close: async () => undefined };
  }
  // trial-worker.js loads @swc-node/register. Its native addon (@swc/core) is unloaded when the last thread using
  // it exits, and loading it again in a later pool's threads kills the process (seen under vitest, whose main thread
  // never loads swc; a batch of shard rounds creates a pool per round). Holding it here keeps it loaded.
  require('@swc/core');
  const idle: Worker[] = [];
  const waiting: (() => void)[] = [];
  const all = Array.from({ length: workers }, () => new Worker(path.join(__dirname, 'trial-worker.js'), { workerData: data }));
  idle.push(...all);
  const acquire = async (): Promise<Worker> => {
    while (idle.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    return idle.pop()!;
  };
  const release = (worker: Worker) => {
    idle.push(worker);
    waiting.shift()?.();
  };
  return {
    async run(request) {
      const worker = await acquire();
      try {
        return await new Promise<TrialOutcome>((resolve, reject) => {
          const onMessage = (message: { ok: boolean; outcome?: TrialOutcome; message?: string; name?: string }) => {
            worker.off('error', onError);
            if (message.ok) resolve(message.outcome!);
            else reject(message.name === 'UserError' ? new UserError(message.message!) : new Error(`trial ${request.key}: ${message.message}`));
          };
          const onError = (error: Error) => {
            worker.off('message', onMessage);
            reject(error);
          };
          worker.once('message', onMessage);
          worker.once('error', onError);
          worker.postMessage(request);
        });
      } finally {
        release(worker);
      }
    },
    async close() {
      await Promise.all(all.map((worker) => worker.terminate()));
    },
  };
}
