import { workerData } from 'node:worker_threads';
import { serveJobs } from '../common/job-pool';
import { loadEvaluationContext } from './context';
import { evaluateFoldTimed, type FoldPoolData } from './timed-fold';

const { sources, settings } = workerData as FoldPoolData;
const context = loadEvaluationContext(sources, settings);
serveJobs(async (fold: string, progress) => evaluateFoldTimed(await context, fold, settings, progress));
