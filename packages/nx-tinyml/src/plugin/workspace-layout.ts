/**
 * Where things are, relative to the workspace root. Target inputs name workspace files as `{workspaceRoot}/<path>`,
 * so these must stay relative: an absolute path in a target would differ between machines and split the cache.
 */

import * as path from 'node:path';

/**
 * True when the plugin runs from its TypeScript sources inside this repository; false when it is the published
 * build installed from npm into someone's workspace, where the code a target runs is the installed packages.
 */
export const pluginFromSources = path.extname(__filename) === '.ts';

/** The plugin package's own folder (executors.json, bin/), wherever it is installed. */
export const PLUGIN_PACKAGE_DIR = path.resolve(__dirname, '../..');

/** The published packages whose locked versions are an installed plugin's code inputs. */
export const PUBLISHED_PACKAGES = ['nx-tinyml', '@nx-tinyml/core'] as const;

/** The library's sources; executors import them as `@nx-tinyml/core/<path>`. */
export const CORE_SOURCE_DIR = 'packages/core/src';

/** This plugin (executors.json and the executors' sources). */
export const PLUGIN_DIR = 'packages/nx-tinyml';

/**
 * What the plugin writes while inferring targets: each stage's parameters (hashed by Nx as files) and the import
 * cache. Inside Nx's own gitignored data folder, so it is never committed and `nx reset` clears it.
 */
export const PLUGIN_DATA_DIR = '.nx/workspace-data/nx-tinyml';
