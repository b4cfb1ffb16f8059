/**
 * The platform layer end to end with the real cross compilers and QEMU (tools/install-toolchains firmware). What
 * the machine lacks is skipped, as the run's toolchain line says (tools/test/toolchain-state.global-setup.ts):
 * builds need the cross compilers, runs need QEMU too, host-board builds need cc.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { loadBoardSync } from '../spec/board';
import type { BoardDefinition } from '../spec/types';
import { buildFirmware, FirmwareBuild } from './build';
import { runOnHost, SANITIZER_EXIT_CODE } from './host-run';
import { LinkCheckError, LinkOverflowError } from './link-failure';
import { findSymbol } from './memory-usage';
import { parseMapFile } from './map-file';
import { EmulatorError, runOnQemu } from './qemu-run';
import { PLATFORM_EXIT_FAULT } from './run-result';

const toolchains = inject('toolchainState');
const canBuild = (boardName: string) => (boardName === 'host' ? toolchains.hostCompiler : toolchains.crossCompilers);
const canRun = toolchains.crossCompilers && toolchains.qemu;

const work = mkdtempSync(path.join(tmpdir(), 'nxt-firmware-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const program = (name: string) => path.join(__dirname, 'test-programs', name);
const board = (name: string): BoardDefinition => loadBoardSync(defaultWorkspaceRoot, name);
let buildCount = 0;
const build = (boardName: string, source: string, defines: Record<string, number> = {}): Promise<FirmwareBuild> =>
  buildFirmware({ board: board(boardName), sources: [program(source)], outDir: path.join(work, `${boardName}-${buildCount++}`), defines });

/** crc32.c built once per board: the run tests share it. */
const crcImages = new Map<string, Promise<FirmwareBuild>>();
const crcImage = (boardName: string): Promise<FirmwareBuild> => {
  if (!crcImages.has(boardName)) crcImages.set(boardName, build(boardName, 'crc32.c'));
  return crcImages.get(boardName)!;
};

/** What crc32.c prints: the table is (i·31 + 7) mod 251 for i < 4096, checked with zlib's CRC-32. */
const table = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 251));
const expectedLine = `crc32=${crc32(table).toString(16).padStart(8, '0')} runs=42\n`;

/** What float-sum.c prints, evaluated in binary32 one rounding at a time. */
const expectedFloatLine = (() => {
  const f = Math.fround;
  let sum = 0;
  for (let i = 0; i < 1000; i++) sum = f(f(sum * f(0.999)) + f(f(0.1) * i));
  const bits = new Uint32Array(new Float32Array([sum]).buffer)[0];
  return `bits=${bits.toString(16).padStart(8, '0')}\n`;
})();

describe.skipIf(!canRun).each(['stm32f446ze', 'stm32h747xi', 'esp32-c3', 'esp32-s2'])('%s on QEMU', (boardName) => {
  it('prints the CRC-32 of a flash table through semihosting and exits with status 3; instruction counts repeat exactly', async () => {
    const image = await crcImage(boardName);
    const table = findSymbol(image.memory, 'crc_input_table');
    expect(table).toMatchObject({ bytes: 4096, flash: true, ram: false, section: '.rodata' });

    const first = await runOnQemu({ board: image.board, elf: image.elf, countFunctions: ['main'] });
    expect(first.stdout).toBe(expectedLine);
    expect(first.exitCode).toBe(3);
    expect(first.fault).toBeNull();
    // The plugin where QEMU takes plugins and the header is installed, else the exec trace.
    expect(first.instructions?.method).toBe(toolchains.counter?.kind);
    const counts = first.instructions!;
    // The CRC loop runs 4096 × 8 bit steps between the two markers: well over 100,000 instructions.
    expect(counts.markers).toHaveLength(2);
    expect(counts.betweenMarkers[0]).toBeGreaterThan(100_000);
    expect(counts.total).toBeGreaterThan(counts.markers[1]);
    expect(counts.functions.main).toBeGreaterThan(counts.betweenMarkers[0] - 1000);

    const second = await runOnQemu({ board: image.board, elf: image.elf, countFunctions: ['main'] });
    expect(second.instructions).toEqual(counts);
  });

  // Where both counters run, the fallback (QEMU's exec trace, one instruction per block) must give the very same
  // figures as the plugin: the check that matters, whichever method a machine ends up with.
  it.skipIf(toolchains.counter?.kind !== 'plugin')('the exec trace counts exactly what the TCG plugin counts', async () => {
    const image = await crcImage(boardName);
    const plugin = await runOnQemu({ board: image.board, elf: image.elf, countFunctions: ['main'] });
    const traced = await runOnQemu({ board: image.board, elf: image.elf, count: 'exec-trace', countFunctions: ['main'] });
    expect(plugin.instructions?.method).toBe('plugin');
    expect(traced.stdout).toBe(expectedLine);
    expect(traced.instructions).toEqual({ ...plugin.instructions, method: 'exec-trace' });
  });

  // Not on the Xtensa lx106: Debian's libgcc for it has no soft-float routines (the runtime and harness use none).
  it.skipIf(boardName === 'esp32-s2')('computes single-precision floats bit for bit like IEEE binary32 (FPU enabled at reset, no contraction)', async () => {
    const image = await build(boardName, 'float-sum.c');
    const run = await runOnQemu({ board: image.board, elf: image.elf, count: 'off' });
    expect(run).toMatchObject({ stdout: expectedFloatLine, exitCode: 0, fault: null });
  });

  it('reports a fault through the fault channel and exits with PLATFORM_EXIT_FAULT', async () => {
    const image = await build(boardName, 'fault.c');
    const run = await runOnQemu({ board: image.board, elf: image.elf, count: 'off' });
    expect(run.stdout).toBe('before the fault\n');
    expect(run.exitCode).toBe(PLATFORM_EXIT_FAULT);
    const faultLine: Record<string, RegExp> = {
      'esp32-c3': /^platform: trap at mepc=0x8[0-9a-f]{7}/,
      // The lx106's `ill` in FLASH (0x5…), taken by the user exception vector.
      'esp32-s2': /^platform: exception at epc1=0x5[0-9a-f]{7}/,
    };
    expect(run.fault).toMatch(faultLine[boardName] ?? /^platform: HardFault CFSR=0x[0-9a-f]{8}$/);
  });
});

describe.skipIf(!toolchains.crossCompilers)('link-time budgets', () => {
  it('a 200,000-byte arena does not link for the 128 KB STM32F446: RAM overflow named with its bytes', async () => {
    const error = await build('stm32f446ze', 'big-arena.c', { ARENA_BYTES: 200_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LinkOverflowError);
    const overflow = error as LinkOverflowError;
    expect(overflow.overflows).toHaveLength(1);
    const { region, bytes } = overflow.overflows[0];
    expect(region).toBe('RAM');
    // RAM = 131,072 − 4,096 reserve = 126,976; the arena and the 4,096-byte stack alone exceed it by 77,120.
    expect(bytes).toBeGreaterThanOrEqual(200_000 + 4096 - 126_976);
    expect(bytes).toBeLessThan(200_000 + 4096 - 126_976 + 256);
    expect(overflow.message).toContain(
      `program does not fit stm32f446ze: RAM overflowed by ${bytes.toLocaleString('en-US')} bytes (RAM is 126,976 bytes: sramBytes 131,072 − reserveSramBytes 4,096; it needs ${(126_976 + bytes).toLocaleString('en-US')}: tinyml_arena 200,000 + stack 4,096`,
    );
    expect(findSymbol(overflow.wanted!, 'tinyml_arena')?.bytes).toBe(200_000);
  });

  it('the same program with an arena that fits links, and the arena is where the budget says', async () => {
    const image = await build('stm32f446ze', 'big-arena.c', { ARENA_BYTES: 100_000 });
    expect(findSymbol(image.memory, 'tinyml_arena')).toMatchObject({ bytes: 100_000, ram: true, flash: false, section: '.bss' });
    expect(image.memory.ram.capacity).toBe(126_976);
    expect(image.memory.ram.sections['.stack']).toBe(4096);
    expect(image.memory.ram.used).toBeLessThanOrEqual(image.memory.ram.capacity);
  });

  it('constants over the STM32H747 flash do not link: FLASH overflow', async () => {
    const error = await build('stm32h747xi', 'big-flash.c', { BLOB_BYTES: 1_200_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LinkOverflowError);
    const { region, bytes } = (error as LinkOverflowError).overflows[0];
    expect(region).toBe('FLASH');
    expect(bytes).toBeGreaterThan(1_200_000 - 1_048_576);
    expect((error as LinkOverflowError).message).toMatch(
      /^program does not fit stm32h747xi: FLASH overflowed by [\d,]+ bytes \(FLASH is 1,048,576 bytes; it needs [\d,]+: tinyml_model_blob 1,200,000 \+/,
    );
  });
});

describe.skipIf(!toolchains.crossCompilers)('link-time checks', () => {
  it('refuses a static constructor, which the reset code would silently not run', async () => {
    const error = await build('esp32-c3', 'constructor.c').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LinkCheckError);
    expect(error).not.toBeInstanceOf(LinkOverflowError);
    expect((error as Error).message).toBe('link failed for esp32-c3: static constructors found: the reset code does not run them');
  });
});

describe.each(['stm32f446ze', 'esp32-c3', 'esp32-s2', 'host'])('sizes of %s images', (boardName) => {
  it.skipIf(!canBuild(boardName))('size -A, the map file and the symbol table agree on named symbols, byte for byte', async () => {
    const image = await build(boardName, 'sized-symbols.c');
    expect(findSymbol(image.memory, 'tinyml_model_blob')).toMatchObject({ bytes: 1234, flash: true, ram: false });
    expect(findSymbol(image.memory, 'tinyml_arena')).toMatchObject({ bytes: 4000, flash: false, ram: true });
    // .data objects take flash (their initial values) and RAM.
    expect(findSymbol(image.memory, 'tinyml_counters')).toMatchObject({ bytes: 20, flash: true, ram: true });

    const map = parseMapFile(readFileSync(image.mapFile, 'utf8'));
    const blob = map.inputSections.find((input) => input.name === '.rodata.tinyml_model_blob');
    // AddressSanitizer pads each global with a redzone (1234 → 1280 bytes here): on the host only the symbol
    // table's size is the object's.
    expect(blob).toMatchObject({ outputSection: '.rodata', symbols: ['tinyml_model_blob'] });
    if (boardName === 'host') expect(blob!.bytes).toBeGreaterThan(1234);
    else expect(blob!.bytes).toBe(1234);
    expect(blob?.object).toMatch(/-sized-symbols\.o$/);

    // Flash and RAM by section are exactly what size -A lists for those sections.
    const sizeA = Object.fromEntries(image.sizeSections.map((section) => [section.name, section.bytes]));
    for (const [name, bytes] of [...Object.entries(image.memory.flash.sections), ...Object.entries(image.memory.ram.sections)]) {
      expect(sizeA[name]).toBe(bytes);
    }
    if (boardName !== 'host') {
      expect(image.memory.flash.used).toBe(sizeA['.text'] + sizeA['.rodata'] + sizeA['.data']);
      expect(image.memory.ram.used).toBe(sizeA['.data'] + sizeA['.bss'] + sizeA['.stack']);
      const objects = image.memory.objects.map((entry) => entry.object);
      expect(objects).toContain(program('sized-symbols.c'));
    }
  });
});

describe.skipIf(!toolchains.hostCompiler)('host board', () => {
  it('runs natively under the sanitizers with the same output and exit status', async () => {
    const image = await build('host', 'crc32.c');
    const run = await runOnHost({ elf: image.elf });
    expect(run).toMatchObject({ stdout: expectedLine, exitCode: 3, sanitizer: null, instructions: null });
    const floats = await runOnHost({ elf: (await build('host', 'float-sum.c')).elf });
    expect(floats).toMatchObject({ stdout: expectedFloatLine, exitCode: 0 });
  });

  it('the sanitizers stop an out-of-bounds read with their own exit status', async () => {
    const image = await build('host', 'out-of-bounds.c');
    const run = await runOnHost({ elf: image.elf });
    expect(run.exitCode).toBe(SANITIZER_EXIT_CODE);
    // UBSan's bounds check sees the constant-size array first; ASan would report a stack-buffer-overflow.
    expect(run.sanitizer).toMatch(/out-of-bounds\.c:\d+:\d+: runtime error: index 16 out of bounds for type 'int8_t \[16\]'/);
  });
});

describe.skipIf(!canRun)('emulator timeout', () => {
  it('kills QEMU when the program never exits, with an error that says so', async () => {
    const image = await build('stm32f446ze', 'forever.c');
    const started = Date.now();
    const error = await runOnQemu({ board: image.board, elf: image.elf, timeoutMs: 1500, count: 'off' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as Error).message).toMatch(/did not finish .*firmware\.elf within 1,500 ms and was killed: the program loops or waits forever/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
