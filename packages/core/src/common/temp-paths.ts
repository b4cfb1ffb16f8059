import { rmSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Temp files and folders of this process (extractions, atomic replacements, firmware builds, QEMU logs): removed
 * when the process exits by any path Node sees (normal end, process.exit, an exception, or a signal the stage
 * executor turns into an exit), and swept by the next run when the process was killed outright (kill -9). Every
 * name carries the owner's pid so a sweep removes only what a dead process left.
 */
const live = new Set<string>();
let hooked = false;

export function removeOnExit(file: string): () => void {
  live.add(file);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const entry of live) rmSync(entry, { recursive: true, force: true });
    });
  }
  return () => live.delete(file);
}

/** A fresh folder under the system temp folder, `nx-tinyml-<purpose>-<pid>-XXXXXX`, removed at exit. */
export async function makeTempDir(purpose: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), `nx-tinyml-${purpose}-${process.pid}-`));
  removeOnExit(dir);
  return dir;
}

/** Removes a temp folder now and forgets it. */
export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** `.name.tmp-<pid>-<ms>` (atomic.ts tempSibling, and `.download`s) and `nx-tinyml-<purpose>-<pid>-XXXXXX`. */
const TEMP_NAME = /^\..+\.tmp-(\d+)-\d+$|^nx-tinyml-[a-z0-9-]+?-(\d+)-[A-Za-z0-9]{6}$/;

/** The pid a temp name belongs to, or null when the name is not one of ours. */
export function tempOwner(name: string): number | null {
  const match = TEMP_NAME.exec(name);
  return match ? Number(match[1] ?? match[2]) : null;
}

/** Removes, in `dir`, the temp entries of processes that no longer run (killed with -9, power loss, …). */
export async function sweepStaleTemps(dir: string = tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = tempOwner(name);
    if (owner === null || owner === process.pid || isProcessAlive(owner)) continue;
    await fs.rm(path.join(dir, name), { recursive: true, force: true });
    removed.push(path.join(dir, name));
  }
  return removed;
}
