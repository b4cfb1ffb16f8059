/**
 * How each board is built and run: compiler, flags, startup sources, emulator. Derived from board.yaml's `cpu`,
 * `toolchain` and `emulator`; the memory sizes stay in board.yaml and reach the linker script unchanged.
 */
import * as path from 'node:path';
import { UserError } from '../common/errors';
import { resolveResource } from '../common/workspace';
import type { BoardDefinition } from '../spec/types';
import { EMULATED_MACHINES, EmulatedMachine } from './emulated-machines';

export type TargetArch = 'arm-m' | 'riscv32' | 'xtensa' | 'host';

export interface FirmwareTarget {
  board: BoardDefinition;
  arch: TargetArch;
  /** Prefix of gcc, size, nm, objdump: `arm-none-eabi-`, `riscv64-unknown-elf-`, or '' for the host's. */
  toolPrefix: string;
  /** Code generation flags for this core (compile and link). */
  cpuFlags: string[];
  /** The emulator, or null for the host board (runs natively). */
  machine: EmulatedMachine | null;
}

/** Flags every target compiles with: the firmware contract of DESIGN.md (C11, no FP contraction, dead code out). */
export const COMMON_CFLAGS = ['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-ffunction-sections', '-fdata-sections', '-ffp-contract=off'];

/** Host builds run under AddressSanitizer and UBSan; any UB report aborts the run instead of scrolling past. */
export const HOST_SANITIZER_FLAGS = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];

const CPU_FLAGS: Readonly<Record<string, { arch: TargetArch; flags: string[] }>> = {
  // STM32F446: Cortex-M4F, single-precision FPv4.
  'cortex-m4': { arch: 'arm-m', flags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'] },
  // STM32H747 (M7 core): double-precision FPv5.
  'cortex-m7': { arch: 'arm-m', flags: ['-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-d16'] },
  // ESP32-C3. ISA spec 2.2 counts the CSR instructions (startup reads mcause/mcycle) as part of I; with GCC 12's
  // default spec they need "_zicsr", which then matches none of picolibc's multilibs (it links the rv64 libc).
  rv32imc: { arch: 'riscv32', flags: ['-march=rv32imc', '-misa-spec=2.2', '-mabi=ilp32', '-mcmodel=medany'] },
  // ESP32-S2: its LX7 has no compiler or QEMU core in Debian, so the build targets the lx106 (the ESP8266's Xtensa
  // core, same base ISA, call0 ABI); flash-test's report names the core executed. -mlongcalls as ESP-IDF builds.
  'xtensa-lx7': { arch: 'xtensa', flags: ['-mlongcalls'] },
  'x86-64': { arch: 'host', flags: [] },
};

const TOOL_PREFIX: Readonly<Record<TargetArch, string>> = {
  'arm-m': 'arm-none-eabi-',
  riscv32: 'riscv64-unknown-elf-',
  xtensa: 'xtensa-lx106-elf-',
  host: '',
};

/** The build/run description of a board; a UserError for boards that have no emulated or native build here. */
export function firmwareTarget(board: BoardDefinition): FirmwareTarget {
  const cpu = CPU_FLAGS[board.cpu];
  if (cpu === undefined) {
    throw new UserError(
      `board ${board.name}: cpu "${board.cpu}" has no emulated or native build (known: ${Object.keys(CPU_FLAGS).join(', ')}); ` +
        `build it with its vendor toolchain (see detectBoardRunner)`,
    );
  }
  return { board, arch: cpu.arch, toolPrefix: TOOL_PREFIX[cpu.arch], cpuFlags: cpu.flags, machine: emulatedMachine(board, cpu.arch) };
}

function emulatedMachine(board: BoardDefinition, arch: TargetArch): EmulatedMachine | null {
  if (arch === 'host') return null;
  // board.yaml names the emulator as a command line, e.g. "qemu-system-arm -M mps2-an386".
  const words = board.emulator.trim().split(/\s+/);
  const flag = words.findIndex((word) => word === '-M' || word === '-machine');
  const name = flag >= 0 ? words[flag + 1] : undefined;
  const machine = name === undefined ? undefined : EMULATED_MACHINES[name];
  if (machine === undefined || machine.qemuBinary !== words[0]) {
    throw new UserError(
      `${board.file}: emulator "${board.emulator}" is not a machine nx-tinyml can run (known: ` +
        `${Object.values(EMULATED_MACHINES)
          .map((m) => `${m.qemuBinary} -M ${m.name}`)
          .join('; ')})`,
    );
  }
  return machine;
}

/** firmware/platform/: platform.h and the startup code of each architecture. */
export function platformDir(workspaceRoot: string): string {
  return resolveResource(workspaceRoot, path.join('firmware', 'platform'));
}

/** The C/assembly sources that make a program runnable on the target (startup, console, exit, marker). */
export function platformSources(workspaceRoot: string, arch: TargetArch): string[] {
  const dir = platformDir(workspaceRoot);
  const semihosted = ['semihosting-console.c', 'fault.c', 'marker.c'].map((file) => path.join(dir, file));
  switch (arch) {
    case 'arm-m':
      return [...semihosted, path.join(dir, 'arm-m', 'startup.c'), path.join(dir, 'arm-m', 'semihosting-call.c')];
    case 'riscv32':
      return [...semihosted, path.join(dir, 'riscv32', 'start.S'), path.join(dir, 'riscv32', 'reset.c')];
    case 'xtensa':
      // QEMU's Xtensa semihosting is the ISS SIMCALL interface: xtensa/platform.c replaces the ARM-style console.
      return [
        path.join(dir, 'fault.c'),
        path.join(dir, 'marker.c'),
        path.join(dir, 'xtensa', 'start.S'),
        path.join(dir, 'xtensa', 'platform.c'),
        path.join(dir, 'xtensa', 'libgcc-gaps.c'),
      ];
    case 'host':
      return [path.join(dir, 'host', 'platform.c'), path.join(dir, 'marker.c')];
  }
}

/** Include directories of the platform layer. */
export function platformIncludeDirs(workspaceRoot: string): string[] {
  return [path.join(platformDir(workspaceRoot), 'include')];
}
