import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root when the library runs from its own checkout (packages/core/src/common -> root). */
export const defaultWorkspaceRoot = path.resolve(__dirname, '../../../..');

/** True when this library runs from its TypeScript sources (the checkout), false when from the published build. */
export const runsFromSources = path.extname(__filename) === '.ts';

/**
 * The folder holding the files nx-tinyml ships besides code (`firmware/` C runtime, platform and boards;
 * `tools/datasets/` registry and samples). The published package carries them at its root (the pack step copies
 * them there); run from the checkout, that is the repository root.
 */
export const packageResourceRoot = existsSync(path.resolve(__dirname, '../../firmware')) ? path.resolve(__dirname, '../..') : defaultWorkspaceRoot;

/**
 * Where a shipped file or folder is for this workspace: the workspace's own copy when it has one (this repository,
 * or a workspace that adds its own boards or runtime), otherwise the one in the installed package.
 */
export function resolveResource(workspaceRoot: string, relative: string): string {
  const own = path.join(workspaceRoot, relative);
  return existsSync(own) ? own : path.join(packageResourceRoot, relative);
}

/** `<dir>/<base>.ts` from the sources, `<dir>/<base>.js` from the published build. */
export function moduleFile(dir: string, base: string): string {
  return path.join(dir, `${base}${runsFromSources ? '.ts' : '.js'}`);
}
