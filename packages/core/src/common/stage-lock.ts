import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { UserError } from './errors';
import type { Log } from './log';
import { isProcessAlive, removeOnExit } from './temp-paths';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

const OWNER_FILE = 'owner.json';
/**
 * Staleness comes from the owner's pid, never from mtime updates: training on the main thread blocks the event loop
 * for many minutes (a batched 18-fold evaluate did), so proper-lockfile's mtime refresh would miss its deadline; with
 * a short stale time its lock is then "compromised", another run may take it while this one still runs, and the
 * release leaves the folder behind without an owner. So the mtime check is set out of reach (a week).
 */
const STALE_MS = 7 * 24 * 3_600_000;
/** A lock folder without an owner this old was left by a run that died between taking it and writing its pid. */
const OWNERLESS_MS = 30_000;

/**
 * Takes the exclusive lock of one stage of one experiment (`<lockRoot>/<name>.lock/`), so two runs of the same
 * search never train the same trials twice or interleave their journal lines. A lock held by a live process is
 * refused with a message naming its pid; one left by a dead process (kill -9) is taken over. Returns the release.
 */
export async function lockStage(lockRoot: string, name: string, log: Log): Promise<() => Promise<void>> {
  mkdirSync(lockRoot, { recursive: true });
  const lockDir = path.join(lockRoot, `${name}.lock`);
  const ownerFile = path.join(lockDir, OWNER_FILE);
  const take = () =>
    lockfile.lock(path.join(lockRoot, name), {
      lockfilePath: lockDir,
      realpath: false,
      stale: STALE_MS,
      update: 24 * 3_600_000,
      onCompromised: (error) => log(`warning: the lock ${lockDir} was taken away from this run (${error.message})`),
    });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw error;
    const owner = readOwner(ownerFile) ?? (await delay(300).then(() => readOwner(ownerFile)));
    const age = ownerlessFor(lockDir);
    if (owner === null && age > OWNERLESS_MS) {
      await fs.rm(lockDir, { recursive: true, force: true });
      log(`${name}: taking over a lock without an owner, last touched ${Math.round(age / 1000)} s ago (a run died while taking it, or could not remove it)`);
      return lockStage(lockRoot, name, log);
    }
    if (owner === null || owner.host !== hostname() || isProcessAlive(owner.pid)) {
      throw new UserError(
        `${name} is already running ${owner ? `(pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, since ${owner.started})` : '(pid not yet recorded)'}: ` +
          `wait for it to finish or stop it, then run again (lock: ${lockDir})`,
      );
    }
    // Re-read just before removing: only the dead owner's lock is removed, never one a racing run just took.
    const again = readOwner(ownerFile);
    if (again?.pid === owner.pid) await fs.rm(lockDir, { recursive: true, force: true });
    log(`${name}: taking over the lock left by pid ${owner.pid}, which is no longer running`);
    try {
      release = await take();
    } catch (retry) {
      if ((retry as { code?: string }).code === 'ELOCKED')
        throw new UserError(`${name} is already running (another run took the lock first): wait for it to finish, then run again (lock: ${lockDir})`);
      throw retry;
    }
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  writeFileSync(ownerFile, `${JSON.stringify(owner)}\n`);
  // process.exit (a lost parent, a signal) still frees the lock; kill -9 leaves it to the dead-pid takeover
  const forget = removeOnExit(lockDir);
  return async () => {
    forget();
    await fs.rm(ownerFile, { force: true });
    await release();
  };
}

/** Milliseconds since the lock folder was last modified (0 when it is gone). */
function ownerlessFor(lockDir: string): number {
  try {
    return Date.now() - statSync(lockDir).mtimeMs;
  } catch {
    return 0;
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
