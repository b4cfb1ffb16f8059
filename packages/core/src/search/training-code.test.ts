import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashCode, trainingCodeFiles } from './training-code';

const src = path.resolve(__dirname, '..');
const copy = mkdtempSync(path.join(tmpdir(), 'nxt-training-code-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The training code hash of a copy of packages/core/src, after `edit` of one of its files. */
function hashAfter(file: string, edit: (text: string) => string): string {
  const root = mkdtempSync(path.join(copy, 'src-'));
  cpSync(src, root, { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
  const target = path.join(root, file);
  const before = readFileSync(target, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(target, after);
  const entries = ['trial-runner.ts', 'trial-worker.js', 'trial-worker-main.ts'].map((f) => path.join(root, 'search', f));
  return hashCode(trainingCodeFiles(entries), root);
}

describe('training code hash', () => {
  it('follows the real import graph of the trial runner: the trainer, Adam, the wasm kernels; not type-only imports', () => {
    const files = trainingCodeFiles().map((f) => path.relative(src, f));
    expect(files).toEqual(
      expect.arrayContaining(['train/adam.ts', 'train/trainer.ts', 'train/wasm/kernels.generated.ts', 'search/trial-worker-main.ts', 'data/window-store.ts']),
    );
    // no stage is part of the training code: the window store's format lives in data/
    expect(files).not.toContain('stages/window.ts');
    expect(files).not.toContain('stages/search.ts');
  });

  it('changes when Adam changes, not when a comment or the formatting does', () => {
    const base = hashAfter('train/adam.ts', (t) => `${t}\n`);
    expect(hashAfter('train/adam.ts', (t) => `// a comment about Adam\n${t.replace(/\n/g, '\n  ')}\n/* another */\n`)).toBe(base);
    expect(hashAfter('train/adam.ts', (t) => t.replace('beta1 ?? 0.9', 'beta1 ?? 0.8'))).not.toBe(base);
    expect(hashAfter('train/kernels/dense.ts', (t) => `${t}\nexport const changed = 1;\n`)).not.toBe(base);
  });
});
