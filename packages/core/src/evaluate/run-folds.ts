import type { Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { FoldJournal, type EvaluationContext, type EvaluationSources } from './context';
import type { FoldResult, FoldSettings } from './fold-evaluation';
import { createFoldPool } from './fold-pool';

/** How long a fold took (kept out of the results, which must not vary between identical runs). */
export interface FoldTiming {
  fold: string;
  replayed: boolean;
  wallSeconds: number;
  /**
   * User + system CPU: of this process when the fold trained in-process, of the worker thread that trained it on a
   * pool (null where the OS does not tell a thread's CPU).
   */
  cpuSeconds: number | null;
  peakRssMb: number;
}

/**
 * Evaluates `folds`, each first looked up in the journal (a killed run resumes) and recorded there as soon as it is
 * done. With `parallel.workers` > 1 the folds not journaled train side by side on that many worker threads (each
 * loads its own copy of the data from `parallel.sources`), taken in order as threads free up; results come back in
 * `folds` order and do not depend on the thread count. Logs each fold's figures and time; a progress line (folds
 * done, the epoch under way) reaches the terminal at least every 10 s even when Nx captures the task's output.
 */
export async function runFolds(
  context: EvaluationContext,
  folds: readonly string[],
  settings: FoldSettings,
  journalDir: string,
  log: Log,
  parallel: { workers: number; sources: EvaluationSources } | null = null,
  /** Where one fold's own lines go (its training and its result); `log` by default. */
  foldLog: (fold: string) => Log = () => log,
): Promise<{ results: FoldResult[]; timings: FoldTiming[] }> {
  const journal = new FoldJournal(journalDir);
  const progress = startProgress('evaluate: folds', folds.length, { log: progressLog(log) });
  let done = 0;
  const finish = (fold: string, result: FoldResult, timing: FoldTiming) => {
    done++;
    const cascade = result.results.find((r) => r.method === 'cascade' && r.precision === 'float')!.scores;
    const cpu = timing.cpuSeconds === null ? '' : `, ${timing.cpuSeconds.toFixed(0)} CPU-s`;
    foldLog(fold)(
      `evaluate: fold ${fold} ${timing.replayed ? 'replayed from the journal' : 'done'} (${done}/${folds.length}): window event F1 ${cascade.window.events.some((e) => e.support > 0) ? cascade.window.eventF1.toFixed(3) : '– (no events)'}, ` +
        `sensitivity ${cascade.event.rates.sensitivity === null ? '–' : cascade.event.rates.sensitivity.toFixed(3)}, ` +
        `false alarms ${cascade.event.rates.falseAlarmsPerHour === null ? '–' : cascade.event.rates.falseAlarmsPerHour.toFixed(2)}/h; ` +
        `${timing.wallSeconds.toFixed(0)} s wall${cpu}, peak RSS ${timing.peakRssMb.toFixed(0)} MB`,
    );
    progress.update(done, `${fold} ${timing.replayed ? 'replayed' : 'done'}`);
  };

  const results = new Map<string, FoldResult>();
  const timings = new Map<string, FoldTiming>();
  const pending: string[] = [];
  for (const fold of folds) {
    const started = performance.now();
    const result = await journal.get(context.foldKey(fold));
    if (result === null) {
      pending.push(fold);
      continue;
    }
    const timing = { fold, replayed: true, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: 0, peakRssMb: peakRssMb() };
    results.set(fold, result);
    timings.set(fold, timing);
    finish(fold, result, timing);
  }

  const workers = Math.max(1, Math.min(parallel?.workers ?? 1, pending.length));
  if (workers > 1) log(`evaluate: ${pending.length} fold(s) on ${workers} worker threads`);
  const pool = createFoldPool(context, settings, workers, parallel?.sources ?? null);
  try {
    await Promise.all(
      pending.map(async (fold) => {
        const cpu = process.cpuUsage();
        const lineOf: Log = (line) => {
          foldLog(fold)(line);
          // Training runs on a busy thread, so the heartbeat may not fire inside a fold: each log line is a chance to print.
          progress.update(done, line.replace(/^evaluate /, ''));
        };
        const timed = await pool.run(fold, lineOf);
        await journal.record(context.foldKey(fold), timed.result);
        const used = process.cpuUsage(cpu);
        const timing: FoldTiming = {
          fold,
          replayed: false,
          wallSeconds: timed.wallSeconds,
          // In-process, the process's CPU (training runs on this thread); on a worker, that thread's own.
          cpuSeconds: workers === 1 ? (used.user + used.system) / 1e6 : timed.cpuSeconds,
          peakRssMb: peakRssMb(),
        };
        results.set(fold, timed.result);
        timings.set(fold, timing);
        finish(fold, timed.result, timing);
      }),
    );
  } finally {
    await pool.close();
  }
  if (folds.length > 0) progress.finish();
  else progress.stop();
  return { results: folds.map((f) => results.get(f)!), timings: folds.map((f) => timings.get(f)!) };
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
