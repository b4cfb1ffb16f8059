import { workerData } from 'node:worker_threads';
import { serveJobs } from '../../common/job-pool';
import { CascadeJobRunner, type CascadeDataSpec, type TrainingJob } from './training-jobs';

const runner = new CascadeJobRunner(workerData as CascadeDataSpec);
serveJobs((job: TrainingJob, progress) => runner.run(job, progress));
