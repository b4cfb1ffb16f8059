import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { importClosure } from '@nx-tinyml/core/common/import-graph';
import { RuntimeImportsCache } from './runtime-imports-cache';
import { CORE_SOURCE_DIR, PLUGIN_DIR, PLUGIN_PACKAGE_DIR, PUBLISHED_PACKAGES, pluginFromSources } from './workspace-layout';

/** The code a target runs: what its cache key must follow. */
export interface TargetCode {
  /** Workspace-relative paths of the executor's files and every file they load at run time, transitively. */
  files: readonly string[];
  /** npm packages those files load, among the workspace's declared dependencies (Nx hashes their locked versions). */
  packages: readonly string[];
}

/** Each executor's code, by executor name as in executors.json (`window`, `search-shard`, …). */
export type ExecutorCode = Readonly<Record<string, TargetCode>>;

interface ExecutorsJson {
  executors: Record<string, { implementation: string; batchImplementation?: string }>;
}

/**
 * The code of every executor, from the real import graph: the executor's implementation (and batch
 * implementation) and what they load at run time (value imports, require(), worker entry points loaded by path),
 * following `@nx-tinyml/core/…` into the library's sources; type-only imports, tests, test support and fixtures
 * are not loaded at run time, so they are not in it. Computed on every graph computation (cheap: imports are
 * cached by file content; the caller saves `cache`), so an import added today is an input today.
 */
export function executorCode(workspaceRoot: string, cache = RuntimeImportsCache.open(workspaceRoot)): ExecutorCode {
  const declared = declaredPackages(workspaceRoot);
  if (!pluginFromSources) return installedExecutorCode(declared);
  const pluginDir = path.join(workspaceRoot, PLUGIN_DIR);
  const { executors } = JSON.parse(readFileSync(path.join(pluginDir, 'executors.json'), 'utf8')) as ExecutorsJson;
  const options = workspaceImportOptions(workspaceRoot, cache);
  const code: Record<string, TargetCode> = {};
  for (const [name, executor] of Object.entries(executors)) {
    const entryPoints = [executor.implementation, executor.batchImplementation]
      .filter((entry): entry is string => entry !== undefined)
      .map((entry) => path.join(pluginDir, `${entry}.ts`));
    const closure = importClosure(entryPoints, options);
    code[name] = {
      files: closure.files.map((file) => path.relative(workspaceRoot, file).split(path.sep).join('/')).filter((file) => !file.startsWith('../')),
      packages: closure.packages.filter((name) => declared.has(name)),
    };
  }
  return code;
}

/**
 * The installed plugin: every executor runs code from the two published packages, so their locked versions (and
 * the packages they depend on, which those versions pin) are the code inputs.
 */
function installedExecutorCode(declared: ReadonlySet<string>): ExecutorCode {
  const { executors } = JSON.parse(readFileSync(path.join(PLUGIN_PACKAGE_DIR, 'executors.json'), 'utf8')) as ExecutorsJson;
  const packages = PUBLISHED_PACKAGES.filter((name) => declared.has(name));
  return Object.fromEntries(Object.keys(executors).map((name) => [name, { files: [], packages }]));
}

/** How the workspace's sources import each other: `@nx-tinyml/core/…` is the library's source folder. */
export function workspaceImportOptions(workspaceRoot: string, cache: RuntimeImportsCache) {
  return {
    aliases: { '@nx-tinyml/core/': `${path.join(workspaceRoot, CORE_SOURCE_DIR)}${path.sep}` },
    importsOf: (file: string) => cache.importsOf(file),
  };
}

/**
 * The root package.json's dependencies of every kind: the packages Nx knows from the lockfile. An
 * `externalDependencies` input naming any other package would make Nx refuse the target.
 */
export function declaredPackages(workspaceRoot: string): Set<string> {
  const manifest = JSON.parse(readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  return new Set(['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((kind) => Object.keys(manifest[kind] ?? {})));
}
