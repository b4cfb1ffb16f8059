/**
 * The per-user cache of machine-wide toolchain extras that no Debian binary package ships: QEMU's plugin API
 * header and the instruction-counting plugin built against it. They belong to the machine's QEMU, not to one
 * checkout, so every clone of the repository finds them here; `bash tools/install-toolchains firmware` writes the
 * header here (same lookup, in shell).
 *
 *   NX_TINYML_CACHE_DIR set    → that folder, and nothing else: tests and CI point it at an empty folder to see
 *                                what a machine without the extras does, whatever earlier installs left behind.
 *   otherwise                  → $XDG_CACHE_HOME/nx-tinyml, or ~/.cache/nx-tinyml; then the clone's own
 *                                .data/tools/ (where install-toolchains put the header before it had a cache).
 */
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_DIR_VARIABLE = 'NX_TINYML_CACHE_DIR';

/** The per-user cache folder of nx-tinyml (it need not exist yet). */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[CACHE_DIR_VARIABLE];
  if (override !== undefined && override !== '') return path.resolve(override);
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec ignores relative paths.
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'nx-tinyml');
}

/** The folders that may hold toolchain extras, most preferred first. */
export function toolSearchDirs(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const cache = toolCacheDir(env);
  const override = env[CACHE_DIR_VARIABLE];
  if (override !== undefined && override !== '') return [cache];
  return [cache, path.join(workspaceRoot, '.data', 'tools')];
}
