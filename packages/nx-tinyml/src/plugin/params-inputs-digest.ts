import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { importClosure } from '@nx-tinyml/core/common/import-graph';
import { workspaceImportOptions } from './executor-code';
import type { RuntimeImportsCache } from './runtime-imports-cache';
import { packageResourceRoot } from '@nx-tinyml/core/common/workspace';
import { CORE_SOURCE_DIR, PLUGIN_DIR, PLUGIN_PACKAGE_DIR, pluginFromSources } from './workspace-layout';

/** Where stage params are computed: the library's spec reading and the plugin's file writer. */
const PARAMS_CODE = [`${CORE_SOURCE_DIR}/spec/stage-params.ts`, `${PLUGIN_DIR}/src/plugin/stage-params-files.ts`];

/**
 * Digest of everything a spec's stage params are computed from besides the spec: the code (the import closure of
 * PARAMS_CODE, by content) and the board definitions (which boards exist, each board.yaml). With the spec's text it
 * decides whether the params files must be computed again.
 */
export function paramsInputsDigest(workspaceRoot: string, cache: RuntimeImportsCache): string {
  const hash = createHash('sha1');
  if (pluginFromSources) {
    const { files } = importClosure(
      PARAMS_CODE.map((file) => path.join(workspaceRoot, file)),
      workspaceImportOptions(workspaceRoot, cache),
    );
    for (const file of files) hash.update(`${path.relative(workspaceRoot, file)}\0${cache.contentDigest(file)}\0`);
  } else {
    // the installed build: its package manifest (name and version) stands for its code
    hash.update(`plugin\0${cache.contentDigest(path.join(PLUGIN_PACKAGE_DIR, 'package.json'))}\0`);
  }
  const boardDirs = [path.join(workspaceRoot, 'firmware', 'boards'), path.join(packageResourceRoot, 'firmware', 'boards')];
  for (const boardsDir of [...new Set(boardDirs)]) {
    const boards = existsSync(boardsDir) ? readdirSync(boardsDir).sort() : [];
    for (const board of boards) {
      const file = path.join(boardsDir, board, 'board.yaml');
      if (existsSync(file)) hash.update(`board ${board}\0${cache.contentDigest(file)}\0`);
    }
  }
  return hash.digest('hex');
}
