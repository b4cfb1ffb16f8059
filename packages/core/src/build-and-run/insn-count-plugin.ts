/**
 * The instruction-counting QEMU plugin (firmware/platform/qemu-plugin/insn-count.c), compiled once per plugin
 * source, header and QEMU version into the per-user tool cache (tool-cache.ts), so every clone shares it.
 * Debian's QEMU loads plugins but ships none, and its plugin API header comes only with the QEMU source package:
 * `bash tools/install-toolchains firmware` puts it in <tool cache>/qemu-plugin-api/<qemu version>/ (older
 * installs left it in the clone's .data/tools/, still searched; NX_TINYML_QEMU_PLUGIN_H names a header directly).
 * Without the header, or with a QEMU built without plugin support, the runner falls back to counting QEMU's exec
 * trace (exec-trace-count.ts): same figures, much slower.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { tempSibling } from '../common/atomic';
import { defaultWorkspaceRoot, resolveResource } from '../common/workspace';
import { toolCacheDir, toolSearchDirs } from './tool-cache';
import { findExecutable } from './toolchains';

export type InstructionCounter = { kind: 'plugin'; library: string; qemuVersion: string } | { kind: 'exec-trace'; qemuVersion: string; reason: string };

/** "7.2.22" from `qemu-system-arm --version`. */
export async function qemuVersion(qemuBinary: string): Promise<string> {
  const result = await execa(qemuBinary, ['--version'], { reject: false, stdin: 'ignore' });
  const match = /version\s+(\d+(?:\.\d+)+)/.exec(String(result.stdout));
  if (match === null) throw new Error(`cannot read the version of ${qemuBinary}: ${String(result.stdout || result.stderr).trim()}`);
  return match[1];
}

export function pluginSourcePath(workspaceRoot: string): string {
  return resolveResource(workspaceRoot, path.join('firmware', 'platform', 'qemu-plugin', 'insn-count.c'));
}

/** Where qemu-plugin.h for this QEMU version is, or null. */
export function pluginHeaderPath(workspaceRoot: string, version: string): string | null {
  const override = process.env.NX_TINYML_QEMU_PLUGIN_H;
  if (override !== undefined && override !== '') return existsSync(override) ? override : null;
  for (const dir of toolSearchDirs(workspaceRoot)) {
    const candidate = path.join(dir, 'qemu-plugin-api', version, 'qemu-plugin.h');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Whether this QEMU binary was built with TCG plugin support: such builds list `-plugin` in their help (Debian's
 * do; `--disable-plugins` builds, e.g. some distributions' or static ones, do not).
 */
export async function qemuSupportsPlugins(qemuBinary: string): Promise<boolean> {
  const result = await execa(qemuBinary, ['-help'], { reject: false, stdin: 'ignore' });
  return /^-plugin\b/m.test(String(result.stdout));
}

const built = new Map<string, Promise<InstructionCounter>>();

/**
 * The plugin for the QEMU that `qemuBinary` is, built if needed; the exec-trace fallback (with the reason) when
 * the header or a host compiler is missing. A header that is present but does not compile is an error, not a
 * fallback: it means the wrong header.
 */
export function instructionCounter(qemuBinary: string, workspaceRoot = defaultWorkspaceRoot): Promise<InstructionCounter> {
  const key = [workspaceRoot, qemuBinary, process.env.NX_TINYML_QEMU_PLUGIN_H ?? '', toolSearchDirs(workspaceRoot).join(path.delimiter)].join('\0');
  let counter = built.get(key);
  if (counter === undefined) {
    counter = buildCounter(qemuBinary, workspaceRoot);
    built.set(key, counter);
    counter.catch(() => built.delete(key));
  }
  return counter;
}

async function buildCounter(qemuBinary: string, workspaceRoot: string): Promise<InstructionCounter> {
  const version = await qemuVersion(qemuBinary);
  if (!(await qemuSupportsPlugins(qemuBinary))) {
    return {
      kind: 'exec-trace',
      qemuVersion: version,
      reason: `${path.basename(qemuBinary)} ${version} was built without TCG plugin support (no -plugin option)`,
    };
  }
  const header = pluginHeaderPath(workspaceRoot, version);
  if (header === null) {
    return { kind: 'exec-trace', qemuVersion: version, reason: `no qemu-plugin.h for QEMU ${version}: run \`bash tools/install-toolchains firmware\`` };
  }
  const cc = await findExecutable('cc');
  if (cc === null) return { kind: 'exec-trace', qemuVersion: version, reason: 'no host C compiler (cc) to build the plugin: install Debian package gcc' };

  const source = pluginSourcePath(workspaceRoot);
  const [sourceText, headerText] = await Promise.all([fs.readFile(source), fs.readFile(header)]);
  const digest = createHash('sha256').update(sourceText).update('\0').update(headerText).update('\0').update(version).digest('hex').slice(0, 16);
  const library = await pluginLibraryPath(workspaceRoot, digest);
  if (existsSync(library)) return { kind: 'plugin', library, qemuVersion: version };

  // Built beside its final name and renamed: parallel test workers may build the same plugin at once.
  const temp = tempSibling(library);
  const result = await execa(cc, ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', `-I${path.dirname(header)}`, source, '-o', temp], {
    all: true,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    await fs.rm(temp, { force: true });
    throw new Error(`building the QEMU instruction-count plugin against ${header} failed:\n${String(result.all)}`);
  }
  await fs.rename(temp, library);
  return { kind: 'plugin', library, qemuVersion: version };
}

/**
 * Where the plugin built from `digest` lives: the per-user cache, or the clone's node_modules/.cache when the
 * cache folder cannot be created (a read-only home, say).
 */
async function pluginLibraryPath(workspaceRoot: string, digest: string): Promise<string> {
  const inCache = path.join(toolCacheDir(), 'qemu-plugin', digest, 'libinsn-count.so');
  try {
    await fs.mkdir(path.dirname(inCache), { recursive: true });
    return inCache;
  } catch {
    const local = path.join(workspaceRoot, 'node_modules', '.cache', 'nx-tinyml', 'qemu-plugin', digest, 'libinsn-count.so');
    await fs.mkdir(path.dirname(local), { recursive: true });
    return local;
  }
}
