import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ancestors, commandAncestors } from './parent-watch';
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
    writeFileSync(
      leaf,
      `
      import { appendFileSync } from 'node:fs';
      import { dieWithParent } from '${path.join(__dirname, 'parent-watch')}';
      dieWithParent(() => process.exit(1), 100);
      appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
      setInterval(() => undefined, 1000);`,
    );
    writeFileSync(
      middle,
      `
      import { spawn } from 'node:child_process';
      import { appendFileSync } from 'node:fs';
      appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
      spawn(process.execPath, ['-r', '@swc-node/register', ${JSON.stringify(leaf)}], { stdio: 'inherit' });
      setInterval(() => undefined, 1000);`,
    );
    // "; true" keeps sh as a real parent instead of exec'ing node
    const wrapper = spawn('sh', ['-c', `"${process.execPath}" -r @swc-node/register "${middle}"; true`], { cwd: repoRoot, stdio: 'ignore' });
    expect(await until(() => readPids(pids).length === 2, 20_000)).toBe(true);
    const [middlePid, leafPid] = readPids(pids);
    wrapper.kill('SIGKILL');
    expect(await until(() => !isProcessAlive(leafPid) && !isProcessAlive(middlePid), 5_000)).toBe(true);
  }, 40_000);

  it("watches the command, not the user's shell above it: a run whose terminal shell ends (nohup … &, logging out) goes on", async () => {
    const pids = path.join(scratch, 'pids-detached');
    const leaf = path.join(scratch, 'leaf-detached.ts');
    writeFileSync(
      leaf,
      `
      import { appendFileSync } from 'node:fs';
      import { commandAncestors, dieWithParent } from '${path.join(__dirname, 'parent-watch')}';
      dieWithParent(() => process.exit(1), 100);
      appendFileSync(${JSON.stringify(pids)}, process.pid + ' ' + commandAncestors().length + '\\n');
      setInterval(() => undefined, 1000);`,
    );
    // timeout (neither Node nor a shell Node started) stands for a terminal; the sh under it for the user's shell
    const terminal = spawn('timeout', ['60', 'sh', '-c', `"${process.execPath}" -r @swc-node/register "${leaf}"; true`], { cwd: repoRoot, stdio: 'ignore' });
    expect(await until(() => readPids(pids).length === 1, 20_000)).toBe(true);
    const [leafPid] = readPids(pids);
    const shellPid = ancestors(leafPid)[0].pid;
    try {
      expect(readFileSync(pids, 'utf8').trim().split(' ')[1]).toBe('0');
      process.kill(shellPid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1500));
      expect(isProcessAlive(leafPid)).toBe(true);
    } finally {
      terminal.kill('SIGKILL');
      if (isProcessAlive(leafPid)) process.kill(leafPid, 'SIGKILL');
    }
  }, 40_000);

  it('counts Node ancestors and the shells Node started as the command', () => {
    // under vitest: the worker's parent is vitest itself, a Node process
    expect(commandAncestors()[0]?.pid).toBe(process.ppid);
  });
});

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => Number(line.split(' ')[0]));
  } catch {
    return [];
  }
}
