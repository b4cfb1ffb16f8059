import * as path from 'node:path';
import { createJobPool, type JobPool } from '../../common/job-pool';
import { CascadeJobRunner, type CascadeDataSpec, type TrainingJob, type TrainingJobResult } from './training-jobs';

/** The train-cascade stage's independent trainings on `workers` threads (in-process for one). */
export function createTrainingPool(data: CascadeDataSpec, workers: number): JobPool<TrainingJob, TrainingJobResult> {
  return createJobPool<TrainingJob, TrainingJobResult>({
    workers,
    entry: path.join(__dirname, 'training-worker.js'),
    workerData: data,
    local: () => {
      const runner = new CascadeJobRunner(data);
      return (job, progress) => runner.run(job, progress);
    },
  });
}
