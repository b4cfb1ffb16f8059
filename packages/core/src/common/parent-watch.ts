import { readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells a process from a later one that reuses its pid. */
  startTime: string;
}

/** pid, parent pid and start time of a process, from /proc; null when it has ended (or there is no /proc). */
function readStat(pid: number): { ppid: number; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may itself hold spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTime: fields[19] };
  } catch {
    return null;
  }
}

/** This process's ancestors, nearest first, up to (not including) pid 1. */
export function ancestors(pid = process.pid): ProcessIdentity[] {
  const chain: ProcessIdentity[] = [];
  let current = readStat(pid)?.ppid ?? 0;
  while (current > 1 && chain.length < 64) {
    const stat = readStat(current);
    if (stat === null) break;
    chain.push({ pid: current, startTime: stat.startTime });
    current = stat.ppid;
  }
  return chain;
}

/**
 * The ancestors that make up the command which started this process, nearest first: Node processes (nx, its task
 * runner, npx, a test runner) and the shells one of them started (`npx`'s and `nx:run-commands`' `sh -c`). The first
 * ancestor that is neither — the user's shell, `nohup`, `time`, tmux, a CI agent — ends the chain and is not
 * watched: a run detached from its terminal (`nohup npx nx run … &`, then logging out) must go on.
 */
export function commandAncestors(pid = process.pid): ProcessIdentity[] {
  const all = ancestors(pid);
  const chain: ProcessIdentity[] = [];
  for (const [i, identity] of all.entries()) {
    const parent = all[i + 1];
    const partOfCommand = isNode(identity.pid) || (isShell(identity.pid) && parent !== undefined && isNode(parent.pid));
    if (!partOfCommand) break;
    chain.push(identity);
  }
  return chain;
}

function executable(pid: number): string | null {
  try {
    return path.basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return null;
  }
}

function isNode(pid: number): boolean {
  return /^(node|nodejs)(\d+)?$/.test(executable(pid) ?? '');
}

function isShell(pid: number): boolean {
  return ['sh', 'dash', 'bash', 'zsh'].includes(executable(pid) ?? '');
}

function alive(identity: ProcessIdentity): boolean {
  return readStat(identity.pid)?.startTime === identity.startTime;
}

/**
 * Makes this process die with the command that started it. Killing the `npx`/`sh -c` wrapper of an `nx run`
 * otherwise orphans nx and the executor, which keep training and writing the journal with nobody to see it.
 * Every `intervalMs` the command's ancestor chain recorded at start (commandAncestors: the Node processes and the
 * shells between them, not the user's shell or anything above it) is checked; when one of them has ended, the ancestors
 * still alive below it (nx, its task runner) are sent SIGTERM and `onOrphaned` runs (it should exit the process).
 * Linux only (/proc); elsewhere it does nothing. Returns a function that stops watching.
 */
export function dieWithParent(onOrphaned: (gone: number) => void, intervalMs = 1000): () => void {
  const chain = commandAncestors();
  if (chain.length === 0) return () => undefined;
  const timer = setInterval(() => {
    const gone = chain.findIndex((identity) => !alive(identity));
    if (gone < 0) return;
    clearInterval(timer);
    for (const orphan of chain.slice(0, gone)) {
      try {
        process.kill(orphan.pid, 'SIGTERM');
      } catch {
        // already ending
      }
    }
    onOrphaned(chain[gone].pid);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
