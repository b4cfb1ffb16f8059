import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { execa } from 'execa';
import { UserError } from '../common/errors';
import { tempSibling } from '../common/atomic';
import { removeOnExit, sweepStaleTemps } from '../common/temp-paths';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { defaultWorkspaceRoot } from '../common/workspace';
import { datasetEntry, registryDir, type DatasetEntry } from './registry';
import { sha256File, StatCheckedHashes } from './stat-checked-hash';

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
    id: entry.id,
    variant: 'full',
    sha256: entry.sha256,
    bytes: entry.bytes,
    file,
    url,
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
  // extractions and downloads a killed earlier run left (an extraction can be hundreds of MB)
  await sweepStaleTemps(path.dirname(dir));

  if (existsSync(manifestFile)) {
    const manifest = await readExtractionManifest(manifestFile);
    // The archive behind a finished extraction may have been replaced since (same name, other bytes): refuse it.
    if (resolved.file) await verifyArchive(resolved.file, resolved, await archiveHashes(workspaceRoot, env));
    const damaged = manifest && (await damagedFiles(dir, manifest));
    if (manifest && damaged!.length === 0) return { ...resolved, dir, root: path.join(dir, entry.root), manifest };
    log(
      `dataset ${id}: warning: ${
        manifest
          ? `${damaged!.slice(0, 3).join(', ')}${damaged!.length > 3 ? ` and ${damaged!.length - 3} more` : ''} under ${dir} ` +
            `no longer match${damaged!.length === 1 ? 'es' : ''} MANIFEST.json`
          : `${manifestFile} is damaged`
      }; extracting the archive again`,
    );
    await fs.rm(dir, { recursive: true, force: true });
  }

  await fs.mkdir(path.dirname(dir), { recursive: true });
  const archive = resolved.file ?? (await download(resolved, dir, log));
  try {
    log(`dataset ${id}: verifying ${path.basename(archive)} (${formatBytes(resolved.bytes)}, ${resolved.variant})`);
    await verifyArchive(archive, resolved, resolved.file ? await archiveHashes(workspaceRoot, env) : null);
    log(`dataset ${id}: extracting into ${path.relative(workspaceRoot, dir) || dir}`);
    const manifest = await extractInto(archive, dir, resolved);
    return { ...resolved, dir, root: path.join(dir, entry.root), manifest };
  } finally {
    if (!resolved.file) await fs.rm(archive, { force: true });
  }
}

async function download(resolved: ResolvedArchive, dir: string, log: Log): Promise<string> {
  const url = resolved.url as string;
  const target = tempSibling(`${dir}.download`);
  removeOnExit(target);
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

export { sha256File };

/** Hashes of the archives this machine has verified, by path, size and mtime (stat-checked-hash.ts). */
async function archiveHashes(workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<StatCheckedHashes> {
  return StatCheckedHashes.open(path.join(dataCacheDir(workspaceRoot, env), 'archive-checksums.json'));
}

/**
 * The archive's actual sha256, from the stat-checked cache when it has not changed since it was last hashed:
 * cheap enough for every cache-key computation, so a corrupt archive under the expected name changes the window
 * stage's key instead of letting Nx restore results made from the good one.
 */
export async function archiveContentSha256(archive: ResolvedArchive, workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (!archive.file) return null;
  const hashes = await archiveHashes(workspaceRoot, env);
  const sha256 = await hashes.sha256(archive.file);
  await hashes.save().catch(() => undefined); // a read-only cache only costs speed
  return sha256;
}

async function readExtractionManifest(file: string): Promise<ExtractionManifest | null> {
  try {
    const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as ExtractionManifest;
    return Array.isArray(manifest.files) ? manifest : null;
  } catch {
    return null;
  }
}

/**
 * Files of an extraction that differ from its MANIFEST.json (missing, other size, other sha256). Unchanged files
 * (same size and mtime as when last verified, kept in the extraction's VERIFIED_FILE) cost a stat; others are
 * hashed in full.
 */
async function damagedFiles(dir: string, manifest: ExtractionManifest): Promise<string[]> {
  const verified = await StatCheckedHashes.open(path.join(dir, VERIFIED_FILE));
  const damaged: string[] = [];
  for (const file of manifest.files) {
    const actual = await verified.sha256(path.join(dir, file.path), file.path);
    if (actual !== file.sha256) damaged.push(file.path);
  }
  if (damaged.length === 0) await verified.save().catch(() => undefined);
  return damaged;
}

/** Beside MANIFEST.json: size and mtime of each file when it was last found equal to the manifest. */
const VERIFIED_FILE = '.verified.json';

async function verifyArchive(file: string, resolved: ResolvedArchive, hashes: StatCheckedHashes | null): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new UserError(`dataset ${resolved.id}: archive ${file} cannot be read`);
  }
  const actual = hashes ? await hashes.sha256(file) : await sha256File(file);
  if (hashes && actual === resolved.sha256) await hashes.save().catch(() => undefined);
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
  const forget = removeOnExit(temp);
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
    // what was just hashed is verified: the next run's check is a stat per file
    const verified = await StatCheckedHashes.open(path.join(temp, VERIFIED_FILE));
    for (const file of manifest.files) await verified.remember(path.join(temp, file.path), file.sha256, file.path);
    await verified.save();
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
  } finally {
    forget();
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
