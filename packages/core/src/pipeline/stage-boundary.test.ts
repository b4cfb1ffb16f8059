import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importedModules } from '../common/import-graph';

/**
 * The layering rule of the library: stages/ orchestrate, the libraries beside it (data/, search/, train/, quantize/,
 * codegen/, build-and-run/, evaluate/, report/, …) own the formats and the rules. A stage may import any library; no file
 * outside stages/ may import from stages/, type-only imports included, so a hand-off format never lives in a stage
 * file and a library never loads a stage (and what the stage pulls in) to read one. The one exception is the
 * package's public entry, src/index.ts, which exists to re-export the stages.
 */
const SOURCE_ROOT = path.resolve(__dirname, '..');
const STAGES_DIR = path.join(SOURCE_ROOT, 'stages');
const PACKAGE_ALIAS = '@nx-tinyml/core/';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(file);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Where a specifier points inside packages/core/src, or null for a package or builtin. */
function target(from: string, specifier: string): string | null {
  if (specifier.startsWith(PACKAGE_ALIAS)) return path.join(SOURCE_ROOT, specifier.slice(PACKAGE_ALIAS.length));
  if (specifier.startsWith('.')) return path.resolve(path.dirname(from), specifier);
  return null;
}

const isInStages = (file: string) => file === STAGES_DIR || file.startsWith(`${STAGES_DIR}${path.sep}`);

/** The specifiers of `text` (the source of `file`) that point into stages/. */
function stageImports(file: string, text: string): string[] {
  return importedModules(file, text).filter((specifier) => {
    const resolved = target(file, specifier);
    return resolved !== null && isInStages(resolved);
  });
}

describe('the stage boundary', () => {
  it('no file of packages/core/src outside stages/ imports from stages/, not even a type (the public entry index.ts re-exports them)', () => {
    const violations = sourceFiles(SOURCE_ROOT)
      .filter((file) => !isInStages(file) && file !== path.join(SOURCE_ROOT, 'index.ts'))
      .flatMap((file) => stageImports(file, readFileSync(file, 'utf8')).map((specifier) => `${path.relative(SOURCE_ROOT, file)} → ${specifier}`));
    expect(violations).toEqual([]);
  });

  it('sees a value import, a type-only import and an import() type of a stage, relative or by the package alias', () => {
    const text = [
      `import type { WindowManifest } from '../stages/window';`,
      `import { runQuantizeStage } from '@nx-tinyml/core/stages/quantize';`,
      `type Vector = import('../stages/quantize').GoldenVector;`,
      `import { readWindowStore } from './window-store';`,
    ].join('\n');
    expect(stageImports(path.join(SOURCE_ROOT, 'data', 'example.ts'), text)).toEqual([
      '../stages/window',
      '@nx-tinyml/core/stages/quantize',
      '../stages/quantize',
    ]);
  });
});
