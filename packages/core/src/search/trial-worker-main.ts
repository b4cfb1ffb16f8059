import { workerData } from 'node:worker_threads';
import { serveJobs } from '../common/job-pool';
import type { TrialDataSpec, TrialRequest } from './trial';
import { TrialRunner } from './trial-runner';

const runner = new TrialRunner(workerData as TrialDataSpec);
serveJobs((request: TrialRequest) => runner.run(request));
