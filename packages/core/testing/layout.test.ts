import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { publishedModules } from '../../../tools/pack/entry-points';

/**
 * Test support, oracles and fixtures live in packages/core/testing, never in a package's src/: what src/ holds is
 * what ships and what a target's cache key follows, so nothing there may reach into testing/.
 */
const root = path.resolve(__dirname, '../../..');
const sources = ['packages/core/src', 'packages/nx-tinyml/src'].flatMap((dir) => files(path.join(root, dir))).filter((file) => !file.endsWith('.test.ts'));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(file);
    return /\.(ts|js)$/.test(entry.name) ? [file] : [];
  });
}

describe('the package layout', () => {
  it('no shipped module imports test support (type-only imports included)', () => {
    const offenders = sources.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g)]
        .map((match) => match[1])
        .filter((specifier) => specifier.startsWith('.') && path.resolve(path.dirname(file), specifier).startsWith(path.join(root, 'packages/core/testing')))
        .map((specifier) => `${path.relative(root, file)} -> ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps in src only what ships: every non-test module there is in the published program (imported for its code or its types)', () => {
    const program = ts.createProgram(publishedModules(root), {
      allowJs: false,
      resolveJsonModule: true,
      noEmit: true,
      baseUrl: root,
      paths: { '@nx-tinyml/core/*': ['packages/core/src/*'] },
    });
    const shipped = new Set(program.getSourceFiles().map((source) => path.resolve(source.fileName)));
    expect(sources.filter((file) => file.endsWith('.ts') && !shipped.has(file)).map((file) => path.relative(root, file))).toEqual([]);
  });
});
