import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { IMPORT_GRAPH_FILE, runtimeImports } from '@nx-tinyml/core/common/import-graph';
import { PLUGIN_DATA_DIR } from './workspace-layout';
import { writeFileIfChanged } from './write-if-changed';

interface CacheFile {
  /** Digest of the parser's source: a cache written by another parser is discarded. */
  parser: string;
  /** `<extension>:<sha1 of the text>` → the file's runtime import specifiers. */
  imports: Record<string, string[]>;
}

/** Kept for the life of the process: the Nx daemon's plugin worker computes the graph again on every change. */
const memory = new Map<string, readonly string[]>();
let memoryParser: string | undefined;

/**
 * The runtime imports of source files, keyed by their content and kept across Nx commands in the plugin's data
 * folder. Parsing every source with TypeScript costs over a second, and Nx infers targets on every command: with
 * the cache a computation reads and hashes the files and parses only those edited since. Keyed by content, not by
 * mtime, so a checkout or a copy never serves another version's imports.
 */
export class RuntimeImportsCache {
  private readonly used = new Set<string>();
  /** This computation's reads: each executor's closure shares most files with the others. */
  private readonly byPath = new Map<string, readonly string[]>();
  private readonly digests = new Map<string, string>();
  private added = false;

  private constructor(
    private readonly file: string,
    private readonly parser: string,
  ) {}

  static open(workspaceRoot: string): RuntimeImportsCache {
    const parser = sha1(readFileSync(IMPORT_GRAPH_FILE, 'utf8'));
    const file = path.join(workspaceRoot, PLUGIN_DATA_DIR, 'runtime-imports.json');
    if (memoryParser !== parser) {
      memory.clear();
      memoryParser = parser;
      const stored = readCacheFile(file);
      if (stored?.parser === parser) for (const [key, imports] of Object.entries(stored.imports)) memory.set(key, imports);
    }
    return new RuntimeImportsCache(file, parser);
  }

  importsOf(file: string): readonly string[] {
    const known = this.byPath.get(file);
    if (known !== undefined) return known;
    const text = readFileSync(file, 'utf8');
    const digest = sha1(text);
    this.digests.set(file, digest);
    const key = `${path.extname(file)}:${digest}`;
    this.used.add(key);
    let imports = memory.get(key);
    if (imports === undefined) {
      imports = runtimeImports(file, text);
      memory.set(key, imports);
      this.added = true;
    }
    this.byPath.set(file, imports);
    return imports;
  }

  /** sha1 of a file's content, read once per computation. */
  contentDigest(file: string): string {
    let digest = this.digests.get(file);
    if (digest === undefined) {
      digest = sha1(readFileSync(file, 'utf8'));
      this.digests.set(file, digest);
    }
    return digest;
  }

  /** Writes the entries this computation used (so the file holds the current sources only), if any was new. */
  save(): void {
    if (!this.added) return;
    const imports = Object.fromEntries([...this.used].sort().map((key) => [key, [...(memory.get(key) ?? [])]]));
    const content: CacheFile = { parser: this.parser, imports };
    try {
      writeFileIfChanged(this.file, JSON.stringify(content));
    } catch {
      // a read-only workspace only costs speed: the imports are parsed again next time
    }
  }
}

function readCacheFile(file: string): CacheFile | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
    return typeof parsed.parser === 'string' && parsed.imports !== null && typeof parsed.imports === 'object' ? (parsed as CacheFile) : null;
  } catch {
    return null;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
