import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockStage } from './stage-lock';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-lock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repoRoot = path.resolve(__dirname, '../../../..');

describe('stage lock', () => {
  it('refuses a second holder with a message naming the holder pid, and is free again after release', async () => {
    const root = path.join(scratch, 'a');
    const release = await lockStage(root, 'fall-esp32:search', () => undefined);
    await expect(lockStage(root, 'fall-esp32:search', () => undefined)).rejects.toThrow(
      new RegExp(`fall-esp32:search is already running \\(pid ${process.pid}, since `),
    );
    // another stage of the same experiment is independent
    const other = await lockStage(root, 'fall-esp32:window', () => undefined);
    await other();
    await release();
    await (
      await lockStage(root, 'fall-esp32:search', () => undefined)
    )();
  });

  it('takes over a lock folder without an owner once it is 30 s old, and refuses a fresh one', async () => {
    const root = path.join(scratch, 'c');
    const lockDir = path.join(root, 'x:evaluate.lock');
    mkdirSync(lockDir, { recursive: true });
    await expect(lockStage(root, 'x:evaluate', () => undefined)).rejects.toThrow(/x:evaluate is already running \(pid not yet recorded\)/);
    const old = new Date(Date.now() - 31_000);
    utimesSync(lockDir, old, old);
    const messages: string[] = [];
    const release = await lockStage(root, 'x:evaluate', (m) => messages.push(m));
    expect(messages).toEqual([expect.stringMatching(/^x:evaluate: taking over a lock without an owner, last touched 3\d s ago/) as string]);
    await release();
    expect(existsSync(lockDir)).toBe(false);
  });

  it('takes over the lock of a process killed with -9, saying so', async () => {
    const root = path.join(scratch, 'b');
    const file = path.join(scratch, 'holder.ts');
    writeFileSync(
      file,
      `
      import { lockStage } from '${path.join(__dirname, 'stage-lock')}';
      void lockStage(${JSON.stringify(root)}, 'x:search', () => undefined).then(() => { process.stdout.write('locked\\n'); setInterval(() => undefined, 1000); });`,
    );
    const child = spawn(process.execPath, ['-r', '@swc-node/register', file], { cwd: repoRoot });
    await new Promise((resolve) => child.stdout.on('data', resolve));
    await expect(lockStage(root, 'x:search', () => undefined)).rejects.toThrow(new RegExp(`pid ${child.pid}`));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const messages: string[] = [];
    const release = await lockStage(root, 'x:search', (m) => messages.push(m));
    expect(messages).toEqual([`x:search: taking over the lock left by pid ${child.pid}, which is no longer running`]);
    await release();
  });
});
