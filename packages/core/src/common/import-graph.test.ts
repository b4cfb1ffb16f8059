import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importClosure, importedModules, packageName, runtimeImports } from './import-graph';

const root = mkdtempSync(path.join(tmpdir(), 'nxt-import-graph-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(root, 'tree-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('runtime imports', () => {
  it('sees value imports, re-exports, require() and import(), not `import type`', () => {
    const text = `import type { A } from './a';\nimport { type B } from './b';\nimport { c } from './c';\nexport { d } from './d';\nexport type { E } from './e';\nrequire('./f.ts');\nvoid import('./g');`;
    expect(runtimeImports('x.ts', text)).toEqual(['./c', './d', './f.ts', './g']);
  });

  it('lists type-only imports too for a layering rule, and import() types', () => {
    const text = `import type { A } from './a';\nimport { type B } from './b';\nimport { c } from './c';\nexport type { E } from './e';\nlet f: import('./f').F;`;
    expect(importedModules('x.ts', text)).toEqual(['./a', './b', './c', './e', './f']);
  });

  it('sees files loaded by a path next to the module (worker entry points), as relative specifiers, and not folders', () => {
    const text = `new Worker(path.join(__dirname, 'trial-worker.js'));\nconst root = path.resolve(__dirname, '../..');\nconst other = path.join(base, 'x.js');`;
    // a folder next to the module is not loaded: taking `..` for its index would pull the package's entry point in
    expect(runtimeImports('pool.ts', text)).toEqual(['./trial-worker.js']);
  });
});

describe('import closure', () => {
  it('follows relative and aliased imports to files, and names the packages they load', () => {
    const dir = tree({
      'app/main.ts': `import { a } from './a';\nimport { lib } from '@lib/core/util';\nimport type { T } from './types-only';\nimport { readFileSync } from 'node:fs';\nimport * as path from 'path';\nimport { parse } from 'yaml';`,
      'app/a.ts': `export { b } from './nested';\nimport schema from './schema.json';\nnew Worker(path.join(__dirname, 'worker.js'));`,
      'app/nested/index.ts': `import { execa } from 'execa';`,
      'app/schema.json': '{}',
      'app/worker.js': `require('@swc-node/register');\nrequire('./worker-main.ts');`,
      'app/worker-main.ts': `import { x } from '@scope/pkg/deep/path';`,
      'app/types-only.ts': `export type T = number;`,
      'lib/util.ts': `export const lib = 1;`,
      'app/unused.ts': `export const unused = 1;`,
    });
    const closure = importClosure([path.join(dir, 'app/main.ts')], { aliases: { '@lib/core/': `${path.join(dir, 'lib')}${path.sep}` } });
    expect(closure.files.map((file) => path.relative(dir, file))).toEqual([
      'app/a.ts',
      'app/main.ts',
      'app/nested/index.ts',
      'app/schema.json',
      'app/worker-main.ts',
      'app/worker.js',
      'lib/util.ts',
    ]);
    expect(closure.packages).toEqual(['@scope/pkg', '@swc-node/register', 'execa', 'yaml']);
  });

  it('takes a cached reader of imports in place of parsing', () => {
    const dir = tree({ 'main.ts': '', 'b.ts': '' });
    const closure = importClosure([path.join(dir, 'main.ts')], { importsOf: (file) => (file.endsWith('main.ts') ? ['./b'] : []) });
    expect(closure.files.map((file) => path.basename(file))).toEqual(['b.ts', 'main.ts']);
  });

  it('names packages without their subpaths and leaves Node builtins out', () => {
    expect(packageName('vega-lite/build/index')).toBe('vega-lite');
    expect(packageName('@nx/devkit/testing')).toBe('@nx/devkit');
    expect(packageName('node:crypto')).toBeNull();
    expect(packageName('worker_threads')).toBeNull();
    expect(packageName('fs/promises')).toBeNull();
  });
});
