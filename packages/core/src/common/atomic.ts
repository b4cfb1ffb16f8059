import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { removeOnExit, sweepStaleTemps } from './temp-paths';

/** A sibling temp path, so the final rename stays on one filesystem and is atomic. */
export function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
}

/** Writes a file through a temp path and a rename: readers see the old file or the whole new one. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = tempSibling(target);
  const forget = removeOnExit(temp);
  try {
    await fs.writeFile(temp, data);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  } finally {
    forget();
  }
}

/**
 * Fills a temp directory with `fill` and then puts it in place of `target`. On any error the temp directory is
 * removed, so a crash never leaves a half-written artifact at `target`.
 */
export async function replaceDirAtomic(target: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  // what a killed earlier run left beside the target
  await sweepStaleTemps(path.dirname(target));
  const temp = tempSibling(target);
  const forget = removeOnExit(temp);
  await fs.mkdir(temp);
  try {
    await fill(temp);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    forget();
  }
}
