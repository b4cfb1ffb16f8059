import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The plugin reaches the library only through the entry points @nx-tinyml/core declares in its package.json
 * `exports` (Node refuses any other path, in the checkout and in the published package alike). They are per module,
 * not one barrel, on purpose: each Nx target's cache key is the import graph of its executor, and a barrel would put
 * every stage into every key.
 */
const pluginDir = path.resolve(__dirname, '..');
const core = JSON.parse(readFileSync(path.resolve(pluginDir, '../core/package.json'), 'utf8')) as { exports: Record<string, string> };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

function exported(subpath: string): boolean {
  return Object.keys(core.exports).some((key) => {
    const pattern = key.replace(/^\./, '');
    return pattern.endsWith('*') ? subpath.startsWith(pattern.slice(0, -1)) && !subpath.slice(pattern.length - 1).includes('/') : subpath === pattern;
  });
}

describe("the plugin's imports of the library", () => {
  it('all go through entry points @nx-tinyml/core exports', () => {
    const files = [...sources(path.join(pluginDir, 'src')), ...sources(path.join(pluginDir, 'bin'))];
    const undeclared = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/['"]@nx-tinyml\/core(\/[^'"]*)?['"]/g)]
        .map((match) => match[1] ?? '')
        .filter((subpath) => subpath !== '' && subpath !== '/' && !exported(subpath)) // the bare alias prefix names no module
        .map((subpath) => `${path.relative(pluginDir, file)}: @nx-tinyml/core${subpath}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('can tell a declared entry point from an undeclared one', () => {
    expect(exported('/stages/window')).toBe(true);
    expect(exported('/common/log')).toBe(true);
    expect(exported('/train/trainer')).toBe(false);
    expect(exported('/stages/nested/deeper')).toBe(false);
  });
});
