import { Worker, parentPort } from 'node:worker_threads';
import { UserError } from './errors';
import { runsFromSources } from './workspace';

export interface JobPool<Request, Result> {
  /** Runs one job; `progress` receives the lines the job reports while it runs. */
  run(request: Request, progress?: (line: string) => void): Promise<Result>;
  close(): Promise<void>;
}

/** What a job handler gets besides its request: a way to report progress to the caller. */
export type JobProgress = (line: string) => void;

interface JobReply<Result> {
  ok?: boolean;
  progress?: string;
  result?: Result;
  message?: string;
  user?: boolean;
}

/**
 * Runs jobs on `workers` worker threads, each started from `entry` (a .js file that registers the TypeScript hook
 * and calls serveJobs) with `workerData`; with one worker the jobs run in-process through `local`, which keeps stack
 * traces and avoids a second copy of the data. Jobs must be self-contained (seeded by their request), so results do
 * not depend on which thread ran them. A UserError thrown in a worker stays a UserError.
 */
export function createJobPool<Request, Result>(options: {
  workers: number;
  entry: string;
  workerData: unknown;
  local: () => (request: Request, progress: JobProgress) => Promise<Result>;
}): JobPool<Request, Result> {
  if (options.workers <= 1) {
    const run = options.local();
    return { run: (request, progress) => run(request, progress ?? (() => undefined)), close: () => Promise.resolve() };
  }
  // The worker entries load @swc-node/register. Its native addon (@swc/core) is unloaded when the last thread using
  // it exits, and loading it again in a later pool's threads kills the process (seen under vitest, whose main thread
  // never loads swc; a batch of search rounds creates a pool per round). Holding it here keeps it loaded.
  if (runsFromSources) require('@swc/core');
  const idle: Worker[] = [];
  const waiting: (() => void)[] = [];
  const all = Array.from({ length: options.workers }, () => new Worker(options.entry, { workerData: options.workerData }));
  idle.push(...all);
  const acquire = async (): Promise<Worker> => {
    while (idle.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    return idle.pop() as Worker;
  };
  const release = (worker: Worker) => {
    idle.push(worker);
    waiting.shift()?.();
  };
  return {
    async run(request, progress) {
      const worker = await acquire();
      try {
        return await new Promise<Result>((resolve, reject) => {
          const onMessage = (reply: JobReply<Result>) => {
            if (reply.progress !== undefined) {
              progress?.(reply.progress);
              return;
            }
            worker.off('message', onMessage);
            worker.off('error', onError);
            if (reply.ok) resolve(reply.result as Result);
            else reject(reply.user ? new UserError(reply.message as string) : new Error(reply.message));
          };
          const onError = (error: Error) => {
            worker.off('message', onMessage);
            reject(error);
          };
          worker.on('message', onMessage);
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

/** The worker side of createJobPool: answers each posted request with `handle`'s result or error. */
export function serveJobs<Request, Result>(handle: (request: Request, progress: JobProgress) => Promise<Result>): void {
  if (!parentPort) throw new Error('serveJobs must run in a worker thread');
  const port = parentPort;
  port.on('message', (request: Request) => {
    handle(request, (line) => port.postMessage({ progress: line } satisfies JobReply<Result>)).then(
      (result) => port.postMessage({ ok: true, result } satisfies JobReply<Result>),
      (error: Error) => {
        const user = error instanceof UserError;
        port.postMessage({ ok: false, message: user ? error.message : (error.stack ?? error.message), user } satisfies JobReply<Result>);
      },
    );
  });
}
