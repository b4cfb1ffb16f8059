import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { describeToolchainState, detectToolchainState, ToolchainState } from './toolchain-state';

const emptyDir = mkdtempSync(path.join(tmpdir(), 'nxt-state-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

const everything: ToolchainState = {
  name: 'everything',
  hostCompiler: true,
  crossCompilers: true,
  qemu: true,
  cmake: true,
  counter: { kind: 'plugin', library: '/cache/qemu-plugin/0123456789abcdef/libinsn-count.so', qemuVersion: '7.2.22' },
  missing: [],
};

describe('detectToolchainState', () => {
  it('on a PATH with nothing on it: no toolchains, no counter, every tool named as missing', async () => {
    const state = await detectToolchainState({ searchPath: emptyDir });
    expect(state).toMatchObject({ name: 'no-toolchains', hostCompiler: false, crossCompilers: false, qemu: false, cmake: false, counter: null });
    expect(state.missing).toEqual([
      'cc',
      'arm-none-eabi-gcc',
      'riscv64-unknown-elf-gcc',
      'xtensa-lx106-elf-gcc',
      'make',
      'qemu-system-arm',
      'qemu-system-riscv32',
      'qemu-system-xtensa',
      'gcc',
      'cmake',
    ]);
  });

  it('agrees with the state the test run detected on this machine', async () => {
    expect(await detectToolchainState()).toEqual(inject('toolchainState'));
  });
});

describe('describeToolchainState: one line saying what the run skipped and why', () => {
  it('everything', () => {
    expect(describeToolchainState(everything)).toBe(
      'nx-tinyml toolchains: everything; nothing skipped (instructions counted by the TCG plugin, checked against the exec trace)',
    );
  });

  it('QEMU without the plugin header', () => {
    const reason = 'no qemu-plugin.h for QEMU 7.2.22: run `bash tools/install-toolchains firmware`';
    const state: ToolchainState = {
      ...everything,
      name: 'qemu-without-plugin',
      counter: { kind: 'exec-trace', qemuVersion: '7.2.22', reason },
      missing: ['the QEMU plugin'],
    };
    expect(describeToolchainState(state)).toBe(
      `nx-tinyml toolchains: qemu-without-plugin; skipped the TCG plugin build and the plugin-vs-exec-trace agreement (counts come from the exec trace) (${reason})`,
    );
  });

  it('cross compilers without QEMU', () => {
    const state: ToolchainState = {
      ...everything,
      name: 'compilers-without-qemu',
      qemu: false,
      counter: null,
      missing: ['qemu-system-arm', 'qemu-system-riscv32'],
    };
    expect(describeToolchainState(state)).toBe(
      'nx-tinyml toolchains: compilers-without-qemu; skipped firmware runs on QEMU (missing qemu-system-arm, qemu-system-riscv32: run `bash tools/install-toolchains base firmware`)',
    );
  });

  it('no toolchains', () => {
    const state: ToolchainState = {
      name: 'no-toolchains',
      hostCompiler: false,
      crossCompilers: false,
      qemu: false,
      cmake: false,
      counter: null,
      missing: ['cc', 'arm-none-eabi-gcc'],
    };
    expect(describeToolchainState(state)).toBe(
      'nx-tinyml toolchains: no-toolchains; skipped firmware builds for the emulated boards, firmware runs on QEMU, host-board builds and the C runtime host tests, ' +
        'the report tests (their pipeline needs a firmware run) (missing cc, arm-none-eabi-gcc: run `bash tools/install-toolchains base firmware`)',
    );
  });
});
