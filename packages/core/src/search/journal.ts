import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';

/** Where finished trials are looked up by content key and recorded: the journal, or results from elsewhere. */
export interface TrialStore<T> {
  get(key: string): T | undefined;
  record(key: string, value: T): void;
}

/**
 * The trial journal (Optuna's "storage"): one JSON object per line, appended and fsync'd as each trial finishes,
 * so a killed search loses at most the trials in flight. Each line ends with a tab and a checksum of its JSON, so
 * one damaged line (a flipped byte, a line another process interleaved) is found and skipped with a warning — its
 * trial is retrained — while the lines after it are still replayed. A torn last line (the process died mid-write)
 * is cut off. Entries are keyed, so a resumed search skips what is done and never records a trial twice. The
 * first line holds the settings the trials depend on; a journal written under other settings is refused rather
 * than mixed in.
 */
export class TrialJournal<T> implements TrialStore<T> {
  private readonly entries = new Map<string, T>();

  private constructor(
    readonly file: string,
    private readonly fd: number,
    private position: number,
  ) {}

  static open<T>(file: string, header: unknown, log: Log = silentLog): TrialJournal<T> {
    mkdirSync(path.dirname(file), { recursive: true });
    if (!existsSync(file)) closeSync(openSync(file, 'w'));
    const bytes = readFileSync(file);
    const fd = openSync(file, 'r+');
    const journal = new TrialJournal<T>(file, fd, 0);
    let offset = 0;
    let sawHeader = false;
    const damaged: number[] = [];
    for (let lineNumber = 1; offset < bytes.length; lineNumber++) {
      const newline = bytes.indexOf(10, offset);
      if (newline === -1) break; // torn tail
      const line = parseLine(bytes.subarray(offset, newline).toString('utf8')) as { header?: unknown; key?: string; value?: T } | null;
      offset = newline + 1;
      if (line === null) {
        damaged.push(lineNumber);
      } else if ('header' in line) {
        if (JSON.stringify(line.header) !== JSON.stringify(header)) {
          closeSync(fd);
          throw new UserError(`${file} was written by a search with other settings; delete it to start over`);
        }
        sawHeader = true;
      } else if (typeof line.key === 'string') {
        journal.entries.set(line.key, line.value as T);
      }
    }
    if (damaged.length > 0) {
      log(
        `search: warning: ${file}: line${damaged.length === 1 ? '' : 's'} ${damaged.join(', ')} damaged (checksum mismatch); skipped, their trials will be retrained`,
      );
    }
    ftruncateSync(fd, offset);
    journal.position = offset;
    if (!sawHeader) journal.append({ header });
    return journal;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Recorded values in the order they were recorded. */
  values(): T[] {
    return [...this.entries.values()];
  }

  /** Records a finished trial durably: written and fsync'd before this returns. */
  record(key: string, value: T): void {
    if (this.entries.has(key)) throw new Error(`journal ${this.file}: trial ${key} is already recorded`);
    this.append({ key, value });
    this.entries.set(key, value);
  }

  close(): void {
    closeSync(this.fd);
  }

  private append(line: unknown): void {
    const bytes = Buffer.from(formatLine(line));
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, this.position + written);
    this.position += bytes.length;
    fsyncSync(this.fd);
  }
}

/** JSON never holds a raw tab (JSON.stringify escapes it), so the last tab separates a line's JSON from its checksum. */
function lineChecksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

function formatLine(line: unknown): string {
  const json = JSON.stringify(line);
  return `${json}\t${lineChecksum(json)}\n`;
}

/** The line's object, or null when its checksum does not match or it is not JSON. */
function parseLine(text: string): unknown {
  const tab = text.lastIndexOf('\t');
  if (tab < 0) return null;
  const json = text.slice(0, tab);
  if (lineChecksum(json) !== text.slice(tab + 1)) return null;
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}
