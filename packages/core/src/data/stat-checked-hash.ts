import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../common/atomic';

/** A file's size and modification time when its sha256 was last computed. */
interface CheckedEntry {
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

/**
 * sha256 of files, remembered with their size and mtime in one JSON file: a file whose size and mtime are what
 * they were is taken at its remembered hash (the fast path); any other is hashed again. So checking hundreds of MB
 * of extracted data against its manifest costs a stat per file on every run and a full read only after a change.
 */
export class StatCheckedHashes {
  private entries: Record<string, CheckedEntry> = {};
  private dirty = false;

  private constructor(private readonly cacheFile: string) {}

  static async open(cacheFile: string): Promise<StatCheckedHashes> {
    const cache = new StatCheckedHashes(cacheFile);
    try {
      cache.entries = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as Record<string, CheckedEntry>;
    } catch {
      // none yet, or damaged: everything is hashed again
    }
    return cache;
  }

  /** The file's sha256, or null when it does not exist. `key` names it in the cache (default: its path). */
  async sha256(file: string, key = file): Promise<string | null> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return null;
    }
    const known = this.entries[key];
    if (known && known.bytes === stat.size && known.mtimeMs === stat.mtimeMs) return known.sha256;
    const sha256 = await sha256File(file);
    this.entries[key] = { bytes: stat.size, mtimeMs: stat.mtimeMs, sha256 };
    this.dirty = true;
    return sha256;
  }

  /** Records a hash just computed elsewhere (e.g. while extracting), so the next check is a stat. */
  async remember(file: string, sha256: string, key = file): Promise<void> {
    const stat = await fs.stat(file);
    this.entries[key] = { bytes: stat.size, mtimeMs: stat.mtimeMs, sha256 };
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    await writeFileAtomic(this.cacheFile, `${JSON.stringify(this.entries)}\n`);
    this.dirty = false;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
