import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync, cpSync, readFileSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveContentSha256, ensureDataset, resolveArchive } from './fetch';

/** A throw-away workspace with a registry entry for a tiny real tar.xz, so fetch runs end to end. */
let workspace: string;
let mirror: string;
let sha256: string;
let bytes: number;

beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'nxt-fetch-'));
  mirror = path.join(workspace, 'mirror');
  const content = path.join(workspace, 'content', 'ecg5000');
  mkdirSync(content, { recursive: true });
  mkdirSync(mirror);
  writeFileSync(path.join(content, 'a.txt'), 'alpha\n');
  writeFileSync(path.join(content, 'b.txt'), 'beta\n');
  execFileSync('tar', ['-cJf', path.join(mirror, 'ecg5000.tar.xz'), '-C', path.join(workspace, 'content'), 'ecg5000']);
  const archive = readFileSync(path.join(mirror, 'ecg5000.tar.xz'));
  sha256 = createHash('sha256').update(archive).digest('hex');
  bytes = archive.length;
  mkdirSync(path.join(workspace, 'tools', 'datasets', 'samples'), { recursive: true });
  cpSync(path.join(mirror, 'ecg5000.tar.xz'), path.join(workspace, 'tools', 'datasets', 'samples', 'ecg5000-sample.tar.xz'));
  writeFileSync(
    path.join(workspace, 'tools', 'datasets', 'ecg5000.json'),
    JSON.stringify({
      id: 'ecg5000',
      title: 't',
      archive: 'ecg5000.tar.xz',
      sha256,
      bytes,
      root: 'ecg5000',
      licence: 'l',
      citation: 'c',
      sample: { archive: 'samples/ecg5000-sample.tar.xz', sha256, bytes, note: 'same bytes' },
    }),
  );
});

afterAll(() => {
  execFileSync('rm', ['-rf', workspace]);
});

const env = () => ({ NX_TINYML_DATA_DIR: path.join(workspace, 'cache'), NX_TINYML_DATASET_MIRROR: mirror });

describe('resolving where a dataset comes from', () => {
  it('auto prefers the mirror, falls back to the committed sample without one', () => {
    expect(resolveArchive('ecg5000', { workspaceRoot: workspace, env: env() }).variant).toBe('full');
    expect(resolveArchive('ecg5000', { workspaceRoot: workspace, env: {} }).variant).toBe('sample');
    expect(resolveArchive('ecg5000', { workspaceRoot: workspace, env: env(), source: 'sample' }).variant).toBe('sample');
  });

  it('full without a mirror or URL, or a mirror without the archive, is a clear error', () => {
    expect(() => resolveArchive('ecg5000', { workspaceRoot: workspace, env: {}, source: 'full' })).toThrow(/NX_TINYML_DATASET_MIRROR/);
    expect(() => resolveArchive('ecg5000', { workspaceRoot: workspace, env: { NX_TINYML_DATASET_MIRROR: '/nonexistent' } })).toThrow(
      /\/nonexistent\/ecg5000.tar.xz does not exist/,
    );
    expect(() => resolveArchive('ecg', { workspaceRoot: workspace, env: {} })).toThrow(/unknown dataset "ecg"; known datasets: ecg5000/);
  });
});

describe('fetch, verify and extract', () => {
  it('extracts once, writes a per-file checksum manifest, and reuses the extraction', async () => {
    const first = await ensureDataset('ecg5000', { workspaceRoot: workspace, env: env() });
    expect(readFileSync(path.join(first.root, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(first.manifest.files.map((f) => f.path)).toEqual(['ecg5000/a.txt', 'ecg5000/b.txt']);
    expect(first.manifest.files[0].sha256).toBe(createHash('sha256').update('alpha\n').digest('hex'));
    const second = await ensureDataset('ecg5000', { workspaceRoot: workspace, env: env() });
    expect(second.dir).toBe(first.dir);
  });

  it('downloads from a URL into the cache and verifies it', async () => {
    const cache = path.join(workspace, 'cache-url');
    const got = await ensureDataset('ecg5000', {
      workspaceRoot: workspace,
      env: { NX_TINYML_DATA_DIR: cache },
      source: 'full',
      url: `file://${path.join(mirror, 'ecg5000.tar.xz')}`,
    });
    expect(got.variant).toBe('full');
    expect(readdirSync(cache)).toEqual([path.basename(got.dir)]);
  });

  it('refuses a corrupt or truncated archive and leaves nothing behind', async () => {
    const badMirror = path.join(workspace, 'bad-mirror');
    mkdirSync(badMirror);
    cpSync(path.join(mirror, 'ecg5000.tar.xz'), path.join(badMirror, 'ecg5000.tar.xz'));
    truncateSync(path.join(badMirror, 'ecg5000.tar.xz'), bytes - 10);
    const cache = path.join(workspace, 'cache-bad');
    await expect(
      ensureDataset('ecg5000', { workspaceRoot: workspace, env: { NX_TINYML_DATA_DIR: cache, NX_TINYML_DATASET_MIRROR: badMirror } }),
    ).rejects.toThrow(new RegExp(`is corrupt \\(${bytes - 10} of ${bytes} bytes: truncated\\?\\): sha256 [0-9a-f]{64}, expected ${sha256}`));
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  });

  it('checks an existing extraction against MANIFEST.json before use: a damaged file is noticed and extracted again', async () => {
    const cacheEnv = { NX_TINYML_DATA_DIR: path.join(workspace, 'cache-damage'), NX_TINYML_DATASET_MIRROR: mirror };
    const first = await ensureDataset('ecg5000', { workspaceRoot: workspace, env: cacheEnv });
    writeFileSync(path.join(first.root, 'a.txt'), 'alphx\n'); // same size, other bytes
    const messages: string[] = [];
    const second = await ensureDataset('ecg5000', { workspaceRoot: workspace, env: cacheEnv, log: (m) => messages.push(m) });
    expect(messages[0]).toMatch(/warning: ecg5000\/a\.txt under .* no longer matches MANIFEST\.json; extracting the archive again/);
    expect(readFileSync(path.join(second.root, 'a.txt'), 'utf8')).toBe('alpha\n');
    // touched but unchanged: hashed again, found equal, used as it is
    utimesSync(path.join(second.root, 'b.txt'), new Date(), new Date(Date.now() + 5000));
    const quiet: string[] = [];
    await ensureDataset('ecg5000', { workspaceRoot: workspace, env: cacheEnv, log: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
  });

  it('refuses an archive replaced by a corrupt one under the same name even when its extraction exists', async () => {
    const swapMirror = path.join(workspace, 'swap-mirror');
    mkdirSync(swapMirror);
    cpSync(path.join(mirror, 'ecg5000.tar.xz'), path.join(swapMirror, 'ecg5000.tar.xz'));
    const swapEnv = { NX_TINYML_DATA_DIR: path.join(workspace, 'cache-swap'), NX_TINYML_DATASET_MIRROR: swapMirror };
    await ensureDataset('ecg5000', { workspaceRoot: workspace, env: swapEnv });
    const archive = resolveArchive('ecg5000', { workspaceRoot: workspace, env: swapEnv });
    expect(await archiveContentSha256(archive, workspace, swapEnv)).toBe(sha256);
    const damaged = readFileSync(path.join(swapMirror, 'ecg5000.tar.xz'));
    damaged[40] ^= 0xff;
    writeFileSync(path.join(swapMirror, 'ecg5000.tar.xz'), damaged);
    expect(await archiveContentSha256(archive, workspace, swapEnv)).not.toBe(sha256);
    await expect(ensureDataset('ecg5000', { workspaceRoot: workspace, env: swapEnv })).rejects.toThrow(
      /archive .*ecg5000\.tar\.xz is corrupt: sha256 [0-9a-f]{64}, expected/,
    );
  });
});
