import type { Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { FoldJournal, type EvaluationContext } from './context';
import { evaluateFold, type FoldResult, type FoldSettings } from './fold-evaluation';

/** How long a fold took (kept out of the results, which must not vary between identical runs). */
export interface FoldTiming {
  fold: string;
  replayed: boolean;
  wallSeconds: number;
  /** User + system CPU of this process (training runs on the calling thread). */
  cpuSeconds: number;
  peakRssMb: number;
}

/**
 * Evaluates `folds` one after another, each first looked up in the journal (a killed run resumes) and recorded
 * there as soon as it is done. Logs each fold's figures and time; a progress line (folds done, the epoch under way)
 * reaches the terminal at least every 10 s even when Nx captures the task's output.
 */
export async function runFolds(
  context: EvaluationContext,
  folds: readonly string[],
  settings: FoldSettings,
  journalDir: string,
  log: Log,
): Promise<{ results: FoldResult[]; timings: FoldTiming[] }> {
  const journal = new FoldJournal(journalDir);
  const results: FoldResult[] = [];
  const timings: FoldTiming[] = [];
  const progress = startProgress('evaluate: folds', folds.length, { log: progressLog(log) });
  for (const [i, fold] of folds.entries()) {
    const key = context.foldKey(fold);
    const started = performance.now();
    const cpu = process.cpuUsage();
    let result = await journal.get(key);
    const replayed = result !== null;
    if (!result) {
      const foldLog: Log = (line) => {
        log(line);
        // Training runs on this thread, so the heartbeat cannot fire inside a fold: each log line is a chance to print.
        progress.update(i, line.replace(/^evaluate /, ''));
      };
      result = await evaluateFold(context.store, context.deployed, fold, settings, foldLog);
      await journal.record(key, result);
    }
    const used = process.cpuUsage(cpu);
    const timing = {
      fold,
      replayed,
      wallSeconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    const cascade = result.results.find((r) => r.method === 'cascade' && r.precision === 'float')!.scores;
    log(
      `evaluate: fold ${fold} ${replayed ? 'replayed from the journal' : 'done'} (${i + 1}/${folds.length}): window event F1 ${cascade.window.events.some((e) => e.support > 0) ? cascade.window.eventF1.toFixed(3) : '– (no events)'}, ` +
        `sensitivity ${cascade.event.rates.sensitivity === null ? '–' : cascade.event.rates.sensitivity.toFixed(3)}, ` +
        `false alarms ${cascade.event.rates.falseAlarmsPerHour === null ? '–' : cascade.event.rates.falseAlarmsPerHour.toFixed(2)}/h; ` +
        `${timing.wallSeconds.toFixed(0)} s wall, ${timing.cpuSeconds.toFixed(0)} CPU-s, peak RSS ${timing.peakRssMb.toFixed(0)} MB`,
    );
    results.push(result);
    timings.push(timing);
    progress.update(i + 1, `${fold} ${replayed ? 'replayed' : 'done'}`);
  }
  if (folds.length > 0) progress.finish();
  else progress.stop();
  return { results, timings };
}
