/**
 * Where things are, relative to the workspace root. Target inputs name workspace files as `{workspaceRoot}/<path>`,
 * so these must stay relative: an absolute path in a target would differ between machines and split the cache.
 */

/** The library's sources; executors import them as `@nx-tinyml/core/<path>`. */
export const CORE_SOURCE_DIR = 'packages/core/src';

/** This plugin (executors.json and the executors' sources). */
export const PLUGIN_DIR = 'packages/nx-tinyml';

/**
 * What the plugin writes while inferring targets: each stage's parameters (hashed by Nx as files) and the import
 * cache. Inside Nx's own gitignored data folder, so it is never committed and `nx reset` clears it.
 */
export const PLUGIN_DATA_DIR = '.nx/workspace-data/nx-tinyml';
