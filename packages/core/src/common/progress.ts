import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import prettyMilliseconds from 'pretty-ms';
import type { Log } from './log';

/** How often a running stage says where it is, even when nothing finished in between. */
export const PROGRESS_INTERVAL_MS = 10_000;

export interface Progress {
  /** `done` units of `total` are finished (absolute, not an increment); prints when the last line is old. */
  update(done: number, detail?: string): void;
  /** Stops the heartbeat; prints the closing line. */
  finish(detail?: string): void;
  /** Stops the heartbeat without a line (the work failed; idempotent). */
  stop(): void;
}

export interface ProgressOptions {
  /** Where lines go when they reach the terminal anyway (default: `log`). */
  log: Log;
  /** Lines at least this often (ms); default 10 s. */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** `search: trials 7/20 (35 %), 1m 12s elapsed, ETA 2m 14s — r0 c3` */
export function formatProgressLine(what: string, done: number, total: number, elapsedMs: number, detail?: string): string {
  const duration = (ms: number) => prettyMilliseconds(Math.max(0, ms), { secondsDecimalDigits: 0, unitCount: 2 });
  const share = total > 0 ? ` (${Math.floor((100 * done) / total)} %)` : '';
  // A linear ETA from the finished share; nothing to extrapolate from before the first unit finishes.
  const eta = done > 0 && total > done ? `, ETA ${duration((elapsedMs * (total - done)) / done)}` : done >= total && total > 0 ? '' : ', ETA unknown';
  return `${what} ${done}/${total}${share}, ${duration(elapsedMs)} elapsed${eta}${detail ? ` — ${detail}` : ''}`;
}

/**
 * A progress reporter for one long piece of work: a line on every `update` once the last line is `intervalMs` old,
 * and a heartbeat line every `intervalMs` while nothing finishes (a long trial), so a silent stage never looks hung.
 * The timer is unref'd: it never keeps the process alive.
 */
export function startProgress(what: string, expectedTotal: number, options: ProgressOptions): Progress {
  // NX_TINYML_PROGRESS_INTERVAL_MS: more (or fewer) lines, e.g. in CI logs; the e2e test uses it to see lines soon.
  const interval = options.intervalMs ?? (Number(process.env.NX_TINYML_PROGRESS_INTERVAL_MS) || PROGRESS_INTERVAL_MS);
  const now = options.now ?? Date.now;
  const started = now();
  let done = 0;
  let total = expectedTotal;
  let detail: string | undefined;
  let lastLine = started;
  const print = () => {
    lastLine = now();
    options.log(formatProgressLine(what, done, total, lastLine - started, detail));
  };
  const heartbeat = setInterval(() => {
    if (now() - lastLine >= interval - 50) print();
  }, interval);
  heartbeat.unref();
  return {
    update(nextDone, nextDetail) {
      done = nextDone;
      // An estimated total that turned out short grows rather than showing 110 %.
      total = Math.max(total, done);
      detail = nextDetail;
      if (now() - lastLine >= interval) print();
    },
    finish(finalDetail) {
      clearInterval(heartbeat);
      done = total;
      detail = finalDetail;
      print();
    },
    stop() {
      clearInterval(heartbeat);
    },
  };
}

/**
 * Where progress lines must go so that a person sees them while the task runs. Nx streams a task's output only in
 * its default style and only for the project it was asked to run; with `--outputStyle=static` (and for the tasks
 * of other projects) it captures the task's stdout/stderr through pipes and prints them when the task ends
 * (nx/src/tasks-runner/task-orchestrator.js, forked-process-task-runner.js), and the task's environment does not
 * say which. So in a task Nx forked with piped output (NX_FORKED_TASK_EXECUTOR, stderr not a terminal), the lines
 * are written straight to the stderr of the Nx process that runs it — the last pid of NX_INVOCATION_ANCESTOR_PIDS,
 * whose fd 2 is the user's terminal or the CI log's pipe — in every style, and left out of the captured output. When Nx
 * gives the task a pseudo-terminal (an interactive default run, or the TUI, which draws the output itself) and
 * outside Nx, they go to `log`.
 */
export function progressLog(log: Log, env: NodeJS.ProcessEnv = process.env, stderrIsTerminal = process.stderr.isTTY === true): Log {
  const orchestrator = (env.NX_INVOCATION_ANCESTOR_PIDS ?? '')
    .split(/[,:\s]+/)
    .filter(Boolean)
    .pop();
  if (env.NX_FORKED_TASK_EXECUTOR !== 'true' || stderrIsTerminal || !orchestrator || process.platform !== 'linux') return log;
  let fd: number;
  try {
    fd = openSync(`/proc/${orchestrator}/fd/2`, 'a');
  } catch {
    // Not reachable: e.g. a socket (Nx run by another Node process), which /proc cannot open.
    return log;
  }
  // Only a terminal or a pipe: a regular file opened anew has its own offset, and Nx's writes would overwrite ours.
  const target = fstatSync(fd);
  if (!target.isCharacterDevice() && !target.isFIFO()) {
    closeSync(fd);
    return log;
  }
  process.once('exit', () => closeSync(fd));
  return (line) => {
    try {
      writeSync(fd, `${line}\n`);
    } catch {
      log(line);
    }
  };
}
