import { parentPort, workerData } from 'node:worker_threads';
import type { TrialDataSpec, TrialRequest } from './trial';
import { TrialRunner } from './trial-runner';

const runner = new TrialRunner(workerData as TrialDataSpec);

parentPort!.on('message', (request: TrialRequest) => {
  runner.run(request).then(
    (outcome) => parentPort!.postMessage({ ok: true, outcome }),
    (error: Error) => parentPort!.postMessage({ ok: false, key: request.key, message: error.message, name: error.name }),
  );
});
