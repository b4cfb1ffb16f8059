import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executorCode } from './executor-code';

const repoRoot = path.resolve(__dirname, '../../../..');
const code = executorCode(repoRoot);
const core = (file: string) => `packages/core/src/${file}`;
const executor = (file: string) => `packages/nx-tinyml/src/executors/${file}`;

const copies = mkdtempSync(path.join(tmpdir(), 'nxt-executor-code-'));
afterAll(() => rmSync(copies, { recursive: true, force: true }));

describe('the code of each target, from the import graph', () => {
  it('starts at the executor and follows it into the library, spec loading included', () => {
    expect(code.window.files).toEqual(
      expect.arrayContaining([
        executor('window.ts'),
        executor('run-stage.ts'),
        core('stages/window.ts'),
        core('spec/load.ts'),
        core('spec/experiment.schema.json'),
        core('data/adapters/sisfall.ts'),
      ]),
    );
    expect(code['flash-test'].files).toEqual(expect.arrayContaining([core('stages/flash-test.ts'), core('build-and-run/build.ts')]));
    expect(code.report.files).toEqual(expect.arrayContaining([core('stages/report.ts')]));
  });

  it('covers the window-store reader wherever the windows are read (the globs it replaces did not)', () => {
    for (const name of ['search', 'search-shard', 'train-cascade', 'quantize', 'evaluate', 'evaluate-shard']) {
      expect(code[name].files, name).toContain(core('data/window-store.ts'));
    }
  });

  it('includes the worker entry points trials and folds are trained in', () => {
    expect(code.search.files).toEqual(expect.arrayContaining([core('search/trial-worker.js'), core('search/trial-worker-main.ts')]));
    expect(code['search-shard'].files).toContain(executor('search-shard-batch.ts'));
  });

  it('leaves out the aggregators from their shards: a report change does not retrain', () => {
    expect(code['search-shard'].files).not.toContain(core('stages/search.ts'));
    expect(code['evaluate-shard'].files).not.toContain(core('stages/evaluate.ts'));
  });

  it('holds no test, test support or fixture file', () => {
    for (const [name, { files }] of Object.entries(code)) {
      expect(
        files.filter((file) => /\.test\.ts$|^packages\/core\/testing\/|fixture|test-programs/.test(file)),
        name,
      ).toEqual([]);
    }
  });

  it('names the packages the code loads, among the declared ones, for Nx to hash their locked versions', () => {
    expect(code.window.packages).toEqual(expect.arrayContaining(['ajv', 'yaml']));
    expect(code.report.packages).toEqual(expect.arrayContaining(['vega', 'vega-lite']));
    for (const { packages } of Object.values(code)) expect(packages).not.toContain('node:fs');
  });

  it('follows an import added to a file (imports are cached by content, never by path)', () => {
    const workspace = mkdtempSync(path.join(copies, 'ws-'));
    cpSync(path.join(repoRoot, 'packages'), path.join(workspace, 'packages'), { recursive: true, filter: (file) => !file.includes('node_modules') });
    cpSync(path.join(repoRoot, 'package.json'), path.join(workspace, 'package.json'));
    expect(executorCode(workspace).window.files).not.toContain(core('evaluate/alarms.ts'));
    const store = path.join(workspace, core('data/window-store.ts'));
    writeFileSync(store, `${readFileSync(store, 'utf8')}\nexport { alarmWindows } from '../evaluate/alarms';\n`);
    expect(executorCode(workspace).window.files).toContain(core('evaluate/alarms.ts'));
  });
});
