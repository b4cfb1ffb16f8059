import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatProgressLine, progressLog, startProgress } from './progress';

describe('progress lines', () => {
  afterEach(() => vi.useRealTimers());

  it('say what, done/total, elapsed and a linear ETA', () => {
    expect(formatProgressLine('search: trials', 5, 20, 60_000)).toBe('search: trials 5/20 (25 %), 1m elapsed, ETA 3m');
    expect(formatProgressLine('search: trials', 0, 20, 12_000, 'c001@r0')).toBe('search: trials 0/20 (0 %), 12s elapsed, ETA unknown — c001@r0');
    expect(formatProgressLine('train-cascade: trainings', 7, 7, 125_000)).toBe('train-cascade: trainings 7/7 (100 %), 2m 5s elapsed');
  });

  it('print at least every interval while nothing finishes (heartbeat), and on updates only once the last line is old', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const progress = startProgress('search: trials', 10, { log: (line) => lines.push(line), now: Date.now });
    progress.update(1);
    expect(lines).toEqual([]); // the first update comes too soon after the start
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual(['search: trials 1/10 (10 %), 10s elapsed, ETA 1m 30s']);
    vi.advanceTimersByTime(25_000);
    expect(lines).toHaveLength(3);
    progress.update(2);
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(10_000);
    expect(lines[lines.length - 1]).toBe('search: trials 2/10 (20 %), 40s elapsed, ETA 2m 40s');
    progress.update(12); // an estimated total that was short grows
    progress.finish('done');
    expect(lines[lines.length - 1]).toBe('search: trials 12/12 (100 %), 45s elapsed — done');
    const count = lines.length;
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(count); // no heartbeat after finish
  });

  it('go to the given log outside Nx, and in an Nx task with a pseudo-terminal (interactive or TUI)', () => {
    const log = () => undefined;
    const forked = { NX_FORKED_TASK_EXECUTOR: 'true', NX_INVOCATION_ANCESTOR_PIDS: String(process.pid) };
    expect(progressLog(log, {}, false)).toBe(log);
    expect(progressLog(log, forked, true)).toBe(log);
    expect(progressLog(log, { ...forked, NX_INVOCATION_ANCESTOR_PIDS: '999999999' }, false)).toBe(log); // no such process
    // With piped output they go to the Nx process instead: through the real nx CLI in report-progress.e2e.test.ts.
  });
});
