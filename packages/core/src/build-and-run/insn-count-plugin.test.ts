import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { instructionCounter, pluginHeaderPath } from './insn-count-plugin';
import { CACHE_DIR_VARIABLE } from './tool-cache';

const toolchains = inject('toolchainState');
const work = mkdtempSync(path.join(tmpdir(), 'nxt-plugin-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A workspace root, a per-user cache and a header file laid out in `work/<name>`. */
function layout(name: string, headerIn: 'cache' | 'clone' | 'nowhere') {
  const root = path.join(work, name, 'clone');
  const cache = path.join(work, name, 'cache');
  mkdirSync(root, { recursive: true });
  mkdirSync(cache, { recursive: true });
  const dir = headerIn === 'cache' ? path.join(cache, 'qemu-plugin-api', '7.2.22') : path.join(root, '.data', 'tools', 'qemu-plugin-api', '7.2.22');
  if (headerIn !== 'nowhere') {
    mkdirSync(dir, { recursive: true });
    copyFileSync(__filename, path.join(dir, 'qemu-plugin.h'));
  }
  return { root, cache, header: path.join(dir, 'qemu-plugin.h') };
}

describe('pluginHeaderPath', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of [CACHE_DIR_VARIABLE, 'XDG_CACHE_HOME', 'NX_TINYML_QEMU_PLUGIN_H']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('finds the header in the per-user cache ($XDG_CACHE_HOME/nx-tinyml), whichever clone asks', () => {
    const xdg = path.join(work, 'xdg');
    const header = path.join(xdg, 'nx-tinyml', 'qemu-plugin-api', '7.2.22', 'qemu-plugin.h');
    mkdirSync(path.dirname(header), { recursive: true });
    copyFileSync(__filename, header);
    delete process.env[CACHE_DIR_VARIABLE];
    process.env.XDG_CACHE_HOME = xdg;
    expect(pluginHeaderPath(path.join(work, 'some-clone'), '7.2.22')).toBe(header);
    expect(pluginHeaderPath(path.join(work, 'another-clone'), '7.2.22')).toBe(header);
    expect(pluginHeaderPath(path.join(work, 'another-clone'), '8.2.2')).toBeNull();
  });

  it('NX_TINYML_CACHE_DIR names the cache; a header only in the clone is still found without the override', () => {
    const inCache = layout('override', 'cache');
    process.env[CACHE_DIR_VARIABLE] = inCache.cache;
    expect(pluginHeaderPath(inCache.root, '7.2.22')).toBe(inCache.header);

    const inClone = layout('clone-only', 'clone');
    process.env.XDG_CACHE_HOME = path.join(work, 'clone-only', 'empty-xdg');
    delete process.env[CACHE_DIR_VARIABLE];
    expect(pluginHeaderPath(inClone.root, '7.2.22')).toBe(inClone.header);
  });

  it('an explicit NX_TINYML_CACHE_DIR is the only place searched: an empty one means no header, as on a fresh machine', () => {
    const inClone = layout('fresh', 'clone');
    process.env[CACHE_DIR_VARIABLE] = inClone.cache;
    expect(pluginHeaderPath(inClone.root, '7.2.22')).toBeNull();
  });
});

describe.skipIf(!toolchains.qemu)('instructionCounter', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of [CACHE_DIR_VARIABLE, 'NX_TINYML_QEMU_PLUGIN_H']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('counts the way the machine allows: the plugin when QEMU takes plugins and the header is there, else the exec trace', async () => {
    const counter = await instructionCounter('qemu-system-arm');
    expect(counter.kind).toBe(toolchains.counter?.kind);
    expect(counter.qemuVersion).toMatch(/^\d+\.\d+\.\d+$/);
    if (counter.kind === 'exec-trace') expect(counter.reason).toMatch(/^no qemu-plugin\.h for QEMU [\d.]+|built without TCG plugin support/);
  });

  it.skipIf(toolchains.counter?.kind !== 'plugin')('builds the TCG plugin into the per-user cache, where every clone finds it', async () => {
    const counter = await instructionCounter('qemu-system-arm');
    if (counter.kind !== 'plugin') throw new Error(`expected the plugin: ${counter.reason}`);
    // A fresh cache holding only the header this machine has: the plugin is built into it.
    const { cache } = layout('build', 'nowhere');
    const header = path.join(cache, 'qemu-plugin-api', counter.qemuVersion, 'qemu-plugin.h');
    mkdirSync(path.dirname(header), { recursive: true });
    copyFileSync(pluginHeaderPath(defaultWorkspaceRoot, counter.qemuVersion)!, header);
    process.env[CACHE_DIR_VARIABLE] = cache;
    const built = await instructionCounter('qemu-system-arm');
    expect(built.kind).toBe('plugin');
    if (built.kind !== 'plugin') return;
    expect(path.relative(cache, built.library)).toMatch(/^qemu-plugin\/[0-9a-f]{16}\/libinsn-count\.so$/);
    expect(existsSync(built.library)).toBe(true);
    // Same plugin source, header and QEMU: the same build key as the machine's own cache.
    expect(path.basename(path.dirname(built.library))).toBe(path.basename(path.dirname(counter.library)));
  });

  it('falls back to the exec trace, saying why, when the header is missing', async () => {
    process.env.NX_TINYML_QEMU_PLUGIN_H = '/nonexistent/qemu-plugin.h';
    const counter = await instructionCounter('qemu-system-arm');
    expect(counter).toMatchObject({
      kind: 'exec-trace',
      reason: expect.stringMatching(/^no qemu-plugin\.h for QEMU [\d.]+: run `bash tools\/install-toolchains firmware`$/),
    });
  });

  it('falls back to the exec trace with an empty per-user cache (a fresh machine)', async () => {
    const { cache } = layout('empty', 'nowhere');
    process.env[CACHE_DIR_VARIABLE] = cache;
    const counter = await instructionCounter('qemu-system-arm', path.join(work, 'empty', 'clone'));
    expect(counter).toMatchObject({ kind: 'exec-trace', reason: expect.stringMatching(/^no qemu-plugin\.h for QEMU [\d.]+|built without TCG plugin support/) });
  });
});
