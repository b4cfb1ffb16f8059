import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `text` unless the file already holds it, through a temp file renamed into place: concurrent Nx commands
 * (or the daemon and a command) never read half a file, and an unchanged file keeps its mtime, so tools watching
 * the folder see no change.
 */
export function writeFileIfChanged(file: string, text: string): void {
  try {
    if (readFileSync(file, 'utf8') === text) return;
  } catch {
    // absent: write it
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
