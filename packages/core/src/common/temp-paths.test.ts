import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepStaleTemps, tempOwner } from './temp-paths';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-temps-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repoRoot = path.resolve(__dirname, '../../../..');

/** A node process that makes a temp folder with makeTempDir, prints it, then does `then`. */
function script(then: string): string {
  const file = path.join(scratch, `child-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    file,
    `
    import { makeTempDir } from '${path.join(__dirname, 'temp-paths')}';
    void makeTempDir('probe').then((dir) => { process.stdout.write(dir + '\\n'); ${then} });`,
  );
  return file;
}

describe('temp paths', () => {
  it('are removed when the process exits, also through process.exit and an uncaught error', () => {
    for (const then of ['', 'process.exit(3);', 'throw new Error("boom");']) {
      const result = spawnSync(process.execPath, ['-r', '@swc-node/register', script(then)], { cwd: repoRoot, encoding: 'utf8' });
      const dir = result.stdout.trim();
      expect(dir, then).toMatch(/nx-tinyml-probe-\d+-/);
      expect(existsSync(dir), then).toBe(false);
    }
  });

  it('left by a process killed with -9 are swept by the next run; those of live processes are kept', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script('setInterval(() => undefined, 1000);')], { cwd: repoRoot });
    const dir = await new Promise<string>((resolve) => child.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect(tempOwner(path.basename(dir))).toBe(child.pid);
    expect(await sweepStaleTemps(path.dirname(dir))).not.toContain(dir);
    expect(existsSync(dir)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(existsSync(dir)).toBe(true);
    expect(await sweepStaleTemps(path.dirname(dir))).toContain(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('recognises only its own names', () => {
    expect(tempOwner('.window.tmp-123-1700000000000')).toBe(123);
    expect(tempOwner('nx-tinyml-qemu-456-AbC123')).toBe(456);
    expect(tempOwner('window')).toBeNull();
    expect(tempOwner('nx-tinyml-e2e-AbC123')).toBeNull();
  });
});
