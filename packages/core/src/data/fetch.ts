import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { execa } from 'execa';
import { UserError } from '../common/errors';
import { tempSibling } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { defaultWorkspaceRoot } from '../common/workspace';
import { datasetEntry, registryDir, type DatasetEntry } from './registry';

export type DatasetSource = 'auto' | 'full' | 'sample';

export interface DatasetRequest {
  source?: DatasetSource;
  url?: string | null;
  workspaceRoot?: string;
  /** Defaults to process.env; tests pass their own. */
  env?: NodeJS.ProcessEnv;
  log?: Log;
}

/** Which archive a request resolves to, known without touching the data (cheap: used in cache keys). */
export interface ResolvedArchive {
  id: string;
  variant: 'full' | 'sample';
  sha256: string;
  bytes: number;
  /** Local file, or null when it must be downloaded from `url`. */
  file: string | null;
  url: string | null;
}

export interface ExtractedDataset extends ResolvedArchive {
  /** The extraction folder (holds MANIFEST.json). */
  dir: string;
  /** The dataset's top-level folder inside `dir`: what adapters read. */
  root: string;
  manifest: ExtractionManifest;
}

export interface ExtractionManifest {
  id: string;
  variant: 'full' | 'sample';
  archiveSha256: string;
  files: { path: string; bytes: number; sha256: string }[];
}

export const MIRROR_ENV = 'NX_TINYML_DATASET_MIRROR';
export const DATA_DIR_ENV = 'NX_TINYML_DATA_DIR';

export function resolveArchive(id: string, request: DatasetRequest = {}): ResolvedArchive {
  const workspaceRoot = request.workspaceRoot ?? defaultWorkspaceRoot;
  const env = request.env ?? process.env;
  const entry = datasetEntry(id, workspaceRoot);
  const source = request.source ?? 'auto';
  const mirror = env[MIRROR_ENV];
  const full = (file: string | null, url: string | null): ResolvedArchive => ({
    id: entry.id, variant: 'full', sha256: entry.sha256, bytes: entry.bytes, file, url,
  });

  if (source !== 'sample') {
    if (mirror) {
      const file = path.resolve(workspaceRoot, mirror, entry.archive);
      if (existsSync(file)) return full(file, null);
      if (source === 'full' || !request.url) {
        throw new UserError(
          `dataset ${id}: ${MIRROR_ENV}=${mirror} is set but ${file} does not exist ` +
            `(expected the archive ${entry.archive}; unset ${MIRROR_ENV} to use the committed sample)`,
        );
      }
    }
    const url = request.url ?? entry.url ?? null;
    if (url) return full(null, url);
    if (source === 'full') {
      throw new UserError(
        `dataset ${id}: source "full" needs the archive ${entry.archive}: set ${MIRROR_ENV} to a folder holding it, ` +
          `or give dataset.url in the experiment spec`,
      );
    }
  }
  return sampleArchive(entry, workspaceRoot);
}

function sampleArchive(entry: DatasetEntry, workspaceRoot: string): ResolvedArchive {
  if (!entry.sample) {
    throw new UserError(`dataset ${entry.id} has no committed sample; set ${MIRROR_ENV} or dataset.url to use the full archive`);
  }
  return {
    id: entry.id,
    variant: 'sample',
    sha256: entry.sample.sha256,
    bytes: entry.sample.bytes,
    file: path.join(registryDir(workspaceRoot), entry.sample.archive),
    url: null,
  };
}

export function dataCacheDir(workspaceRoot: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(workspaceRoot, env[DATA_DIR_ENV] ?? path.join('.data', 'datasets'));
}

/**
 * Makes the dataset available on disk: fetches (mirror, URL or committed sample), verifies the sha256, and extracts
 * once into the cache folder. Extraction goes to a temp folder renamed into place, so a crash or a corrupt archive
 * leaves nothing half-extracted; a later call finds the finished folder and returns at once.
 */
export async function ensureDataset(id: string, request: DatasetRequest = {}): Promise<ExtractedDataset> {
  const workspaceRoot = request.workspaceRoot ?? defaultWorkspaceRoot;
  const env = request.env ?? process.env;
  const log = request.log ?? silentLog;
  const entry = datasetEntry(id, workspaceRoot);
  const resolved = resolveArchive(id, request);
  const dir = path.join(dataCacheDir(workspaceRoot, env), `${id}-${resolved.variant}-${resolved.sha256.slice(0, 12)}`);
  const manifestFile = path.join(dir, 'MANIFEST.json');

  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as ExtractionManifest;
    return { ...resolved, dir, root: path.join(dir, entry.root), manifest };
  }

  await fs.mkdir(path.dirname(dir), { recursive: true });
  const archive = resolved.file ?? (await download(resolved, dir, log));
  try {
    log(`dataset ${id}: verifying ${path.basename(archive)} (${formatBytes(resolved.bytes)}, ${resolved.variant})`);
    await verifyArchive(archive, resolved);
    log(`dataset ${id}: extracting into ${path.relative(workspaceRoot, dir) || dir}`);
    const manifest = await extractInto(archive, dir, resolved);
    return { ...resolved, dir, root: path.join(dir, entry.root), manifest };
  } finally {
    if (!resolved.file) await fs.rm(archive, { force: true });
  }
}

async function download(resolved: ResolvedArchive, dir: string, log: Log): Promise<string> {
  const url = resolved.url as string;
  const target = `${dir}.download`;
  log(`dataset ${resolved.id}: downloading ${url}`);
  try {
    if (url.startsWith('file://')) {
      await fs.copyFile(new URL(url), target);
    } else {
      const response = await fetch(url);
      if (!response.ok || !response.body) {
        throw new UserError(`dataset ${resolved.id}: download of ${url} failed: HTTP ${response.status}`);
      }
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(target));
    }
  } catch (error) {
    await fs.rm(target, { force: true });
    if (error instanceof UserError) throw error;
    throw new UserError(`dataset ${resolved.id}: download of ${url} failed: ${(error as Error).message}`);
  }
  return target;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function verifyArchive(file: string, resolved: ResolvedArchive): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new UserError(`dataset ${resolved.id}: archive ${file} cannot be read`);
  }
  const actual = await sha256File(file);
  if (actual !== resolved.sha256) {
    const truncated = stat.size < resolved.bytes ? ` (${stat.size} of ${resolved.bytes} bytes: truncated?)` : '';
    throw new UserError(
      `dataset ${resolved.id}: archive ${file} is corrupt${truncated}: sha256 ${actual}, expected ${resolved.sha256}. ` +
        `Nothing was extracted; replace the archive and run again.`,
    );
  }
}

async function extractInto(archive: string, dir: string, resolved: ResolvedArchive): Promise<ExtractionManifest> {
  const temp = tempSibling(dir);
  await fs.mkdir(temp, { recursive: true });
  try {
    const result = await execa('tar', ['-xJf', archive, '-C', temp, '--no-same-owner'], { reject: false });
    if (result.exitCode !== 0) {
      throw new UserError(`dataset ${resolved.id}: cannot extract ${archive}: ${result.stderr.trim() || `tar exited ${result.exitCode}`}`);
    }
    const manifest: ExtractionManifest = {
      id: resolved.id,
      variant: resolved.variant,
      archiveSha256: resolved.sha256,
      files: await checksumTree(temp),
    };
    await fs.writeFile(path.join(temp, 'MANIFEST.json'), `${canonicalJson(manifest, 1)}\n`);
    try {
      await fs.rename(temp, dir);
    } catch (error) {
      // Another process finished the same extraction first: theirs is as good as ours.
      if (!existsSync(path.join(dir, 'MANIFEST.json'))) throw error;
      await fs.rm(temp, { recursive: true, force: true });
    }
    return manifest;
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    if ((error as { code?: string }).code === 'ENOENT' && (error as { path?: string }).path === 'tar') {
      throw new UserError(`dataset ${resolved.id}: extracting needs 'tar' and 'xz' (Debian: apt-get install tar xz-utils)`);
    }
    throw error;
  }
}

export async function checksumTree(root: string): Promise<ExtractionManifest['files']> {
  const files: ExtractionManifest['files'] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const item of entries) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) await walk(full);
      else if (item.isFile()) {
        files.push({ path: path.relative(root, full), bytes: (await fs.stat(full)).size, sha256: await sha256File(full) });
      }
    }
  };
  await walk(root);
  return files;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KB`;
  return `${bytes} B`;
}
