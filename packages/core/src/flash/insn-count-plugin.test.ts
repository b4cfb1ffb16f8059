import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { instructionCounter } from './insn-count-plugin';

describe('instructionCounter', () => {
  afterEach(() => {
    delete process.env.NX_TINYML_QEMU_PLUGIN_H;
  });

  it('builds the TCG plugin against the header tools/install-toolchains fetched for the installed QEMU', async () => {
    const counter = await instructionCounter('qemu-system-arm');
    expect(counter.kind).toBe('plugin');
    if (counter.kind !== 'plugin') return;
    expect(counter.qemuVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(counter.library).toMatch(/node_modules\/\.cache\/nx-tinyml\/qemu-plugin\/[0-9a-f]{16}\/libinsn-count\.so$/);
    expect(existsSync(counter.library)).toBe(true);
  });

  it('falls back to the exec trace, saying why, when the header is missing', async () => {
    process.env.NX_TINYML_QEMU_PLUGIN_H = '/nonexistent/qemu-plugin.h';
    const counter = await instructionCounter('qemu-system-arm');
    expect(counter).toMatchObject({ kind: 'exec-trace', reason: expect.stringMatching(/^no qemu-plugin\.h for QEMU [\d.]+: run `bash tools\/install-toolchains firmware`$/) });
  });
});
