import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeFileSystemError } from './fs-errors';

describe('describeFileSystemError', () => {
  it('names the path and what to do for a full disk or a read-only folder', async () => {
    // /dev/full fails every write with ENOSPC, and Node's error then carries no path: the caller's folder is named
    const full = await fs.writeFile('/dev/full', 'x').catch((e: unknown) => e);
    expect(describeFileSystemError(full, 'dist/experiments/x/window')).toBe(
      'cannot write under dist/experiments/x/window: no space left on the device: free some space and run again (ENOSPC)',
    );
    expect(describeFileSystemError(Object.assign(new Error('EROFS'), { code: 'EROFS', syscall: 'mkdir', path: '/ro/dist' }))).toMatch(
      /^cannot mkdir \/ro\/dist: the file system is read-only/,
    );
    expect(
      describeFileSystemError(
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: 'dist/x/windows.bin' }),
      ),
    ).toBe('cannot write dist/x/windows.bin: no space left on the device: free some space and run again (ENOSPC)');
  });

  it('leaves other errors alone (they are bugs and keep their stack)', () => {
    expect(describeFileSystemError(new TypeError('x is undefined'))).toBeNull();
    expect(describeFileSystemError(Object.assign(new Error('gone'), { code: 'ENOENT', path: 'a' }))).toBeNull();
  });
});
