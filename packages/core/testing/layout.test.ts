import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { importedModules } from '../src/common/import-graph';
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

  it('has no import cycle among the shipped modules, type-only imports included', () => {
    const resolveModule = (from: string, specifier: string): string | null => {
      const base = specifier.startsWith('@nx-tinyml/core/')
        ? path.join(root, 'packages/core/src', specifier.slice('@nx-tinyml/core/'.length))
        : specifier.startsWith('.')
          ? path.resolve(path.dirname(from), specifier)
          : null;
      if (base === null) return null;
      return [`${base}.ts`, path.join(base, 'index.ts'), base].find((candidate) => sources.includes(candidate)) ?? null;
    };
    const edges = new Map(
      sources.map((file) => [
        file,
        importedModules(file, readFileSync(file, 'utf8'))
          .map((specifier) => resolveModule(file, specifier))
          .filter((target): target is string => target !== null),
      ]),
    );
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(root, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of sources) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
