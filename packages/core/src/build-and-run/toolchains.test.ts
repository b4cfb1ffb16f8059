import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { UserError } from '../common/errors';
import { detectToolchains, MissingToolError, requireTools, TOOL_NAMES } from './toolchains';

const toolchains = inject('toolchainState');
const emptyDir = mkdtempSync(path.join(tmpdir(), 'nxt-nopath-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

describe('detectToolchains', () => {
  it.skipIf(!(toolchains.hostCompiler && toolchains.crossCompilers && toolchains.qemu))(
    'finds the firmware toolchain (tools/install-toolchains firmware), with versions, where it is installed',
    async () => {
      const tools = await detectToolchains([
        'arm-none-eabi-gcc',
        'riscv64-unknown-elf-gcc',
        'xtensa-lx106-elf-gcc',
        'cc',
        'make',
        'qemu-system-arm',
        'qemu-system-riscv32',
        'qemu-system-xtensa',
      ]);
      expect(tools['arm-none-eabi-gcc']?.version).toMatch(/^arm-none-eabi-gcc .*\d+\.\d+\.\d+/);
      expect(tools['arm-none-eabi-gcc']?.picolibcSpecs).toMatch(/picolibc\.specs$/);
      expect(tools['riscv64-unknown-elf-gcc']?.version).toMatch(/^riscv64-unknown-elf-gcc .*\d+\.\d+\.\d+/);
      expect(tools['riscv64-unknown-elf-gcc']?.picolibcSpecs).toMatch(/picolibc\.specs$/);
      expect(tools['xtensa-lx106-elf-gcc']?.version).toMatch(/^xtensa-lx106-elf-gcc .*\d+\.\d+\.\d+/);
      // Debian keeps this one beside the libc, outside gcc's search path: found there, as an absolute path.
      expect(tools['xtensa-lx106-elf-gcc']?.picolibcSpecs).toBe('/usr/lib/xtensa-lx106-elf/picolibc.specs');
      expect(tools['qemu-system-xtensa']?.version).toMatch(/^QEMU emulator version \d+\.\d+/);
      expect(tools['qemu-system-arm']?.version).toMatch(/^QEMU emulator version \d+\.\d+/);
      expect(tools['qemu-system-riscv32']?.version).toMatch(/^QEMU emulator version \d+\.\d+/);
      expect(tools.cc?.path).toMatch(/\/cc$/);
      expect(tools.make?.version).toMatch(/^GNU Make/);
    },
  );

  it.skipIf(!toolchains.crossCompilers)('finds the xtensa picolibc specs through a symlinked compiler (a shim folder on PATH)', async () => {
    const shim = mkdtempSync(path.join(tmpdir(), 'nxt-shim-'));
    try {
      symlinkSync('/usr/bin/xtensa-lx106-elf-gcc', path.join(shim, 'xtensa-lx106-elf-gcc'));
      const tools = await detectToolchains(['xtensa-lx106-elf-gcc'], { searchPath: shim });
      expect(tools['xtensa-lx106-elf-gcc']?.picolibcSpecs).toBe('/usr/lib/xtensa-lx106-elf/picolibc.specs');
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });

  it('reports every known tool, absent ones with a null path and version', async () => {
    const tools = await detectToolchains(TOOL_NAMES, { searchPath: emptyDir });
    expect(Object.keys(tools).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of Object.values(tools)) expect(tool).toMatchObject({ path: null, version: null });
  });

  it('reads the version line of a tool it finds on the given PATH', async () => {
    const fake = path.join(emptyDir, 'openocd');
    // openocd prints its banner on stderr.
    writeFileSync(fake, '#!/bin/sh\necho "Open On-Chip Debugger 0.12.0" >&2\n');
    chmodSync(fake, 0o755);
    const tools = await detectToolchains(['openocd'], { searchPath: emptyDir });
    expect(tools.openocd).toEqual({ name: 'openocd', path: fake, version: 'Open On-Chip Debugger 0.12.0' });
    rmSync(fake);
  });
});

describe('requireTools', () => {
  it('names the missing tools, their Debian packages and the install script', async () => {
    const error = await requireTools(['arm-none-eabi-gcc', 'qemu-system-riscv32', 'make'], 'building firmware for stm32f446ze', {
      searchPath: emptyDir,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingToolError);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'building firmware for stm32f446ze needs arm-none-eabi-gcc, qemu-system-riscv32, make, which are not installed: ' +
        'Debian packages gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-misc make; run `bash tools/install-toolchains firmware`',
    );
  });

  it.skipIf(!toolchains.qemu)('returns the detected tools when all are present', async () => {
    const tools = await requireTools(['qemu-system-arm'], 'running firmware');
    expect(tools['qemu-system-arm'].path).toMatch(/qemu-system-arm$/);
  });
});
