import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ancestors } from './parent-watch';
import { isProcessAlive } from './temp-paths';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-parent-watch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repoRoot = path.resolve(__dirname, '../../../..');

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 100))) if (condition()) return true;
  return condition();
}

describe('dieWithParent', () => {
  it('knows its ancestors', () => {
    expect(ancestors()[0].pid).toBe(process.ppid);
  });

  it('killing the sh -c wrapper ends the node process under it and the one under that (no orphans)', async () => {
    const pids = path.join(scratch, 'pids');
    const leaf = path.join(scratch, 'leaf.ts');
    const middle = path.join(scratch, 'middle.ts');
    // middle stands for nx (not watching), leaf for the executor (watching, as runStageExecutor does)
    writeFileSync(leaf, `
      import { appendFileSync } from 'node:fs';
      import { dieWithParent } from '${path.join(__dirname, 'parent-watch')}';
      dieWithParent(() => process.exit(1), 100);
      appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
      setInterval(() => undefined, 1000);`);
    writeFileSync(middle, `
      import { spawn } from 'node:child_process';
      import { appendFileSync } from 'node:fs';
      appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
      spawn(process.execPath, ['-r', '@swc-node/register', ${JSON.stringify(leaf)}], { stdio: 'inherit' });
      setInterval(() => undefined, 1000);`);
    // "; true" keeps sh as a real parent instead of exec'ing node
    const wrapper = spawn('sh', ['-c', `"${process.execPath}" -r @swc-node/register "${middle}"; true`], { cwd: repoRoot, stdio: 'ignore' });
    expect(await until(() => readPids(pids).length === 2, 20_000)).toBe(true);
    const [middlePid, leafPid] = readPids(pids);
    wrapper.kill('SIGKILL');
    expect(await until(() => !isProcessAlive(leafPid) && !isProcessAlive(middlePid), 5_000)).toBe(true);
  }, 40_000);
});

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
