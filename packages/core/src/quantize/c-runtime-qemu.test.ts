/**
 * The C runtime's linear kernels on the emulated boards, against the TypeScript reference byte for byte: the same
 * randomised cases as the host test (c-runtime.test.ts) plus layer-sized and accumulator-bound ones, compiled by
 * the platform's buildFirmware as self-checking programs (runtime-program.ts) and run on QEMU. On the STM32s
 * (Cortex-M4 mps2-an386, Cortex-M7 mps2-an500) this is the only place the DSP-extension paths run (SMLAD, SMMLAR,
 * the pair buffer); the ESP32-C3 (RV32IMC, riscv32 virt) and the ESP32-S2 (as an Xtensa lx106 on QEMU sim) run the
 * plain C paths with their own compilers. Skipped, as the run's toolchain line says, without the cross compilers or
 * QEMU (bash tools/install-toolchains firmware).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Random } from '../common/random';
import { defaultWorkspaceRoot } from '../common/workspace';
import { buildFirmware } from '../build-and-run/build';
import { runOnQemu } from '../build-and-run/qemu-run';
import { loadBoardSync } from '../spec/board';
import { ALARM_PROGRAM_RESULT_LINE, alarmStreams, emitAlarmProgram } from '../../testing/quantize/alarm-program';
import { KernelCall, PROGRAM_RESULT_LINE, emitKernelProgram } from '../../testing/quantize/runtime-program';
import {
  RuntimeCase,
  accumulatorBoundCases,
  denseCases,
  gruCases,
  largeDenseCases,
  largePointwiseCases,
  largeWindowCases,
  pointwiseCases,
  poolCases,
  requantizeViaKernelCases,
  tiledConvCases,
  windowCases,
} from '../../testing/quantize/runtime-cases';

const toolchains = inject('toolchainState');
const canRun = toolchains.crossCompilers && toolchains.qemu;

const RUNTIME = path.join(defaultWorkspaceRoot, 'firmware', 'runtime');
const work = mkdtempSync(path.join(tmpdir(), 'nxt-runtime-qemu-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const calls = (cases: RuntimeCase[]): KernelCall[] => cases.map((c) => c.call!);

/** The case sets, each small enough for one program in the STM32F446's 512 KB of flash. */
const SUITES: { name: string; calls: () => KernelCall[] }[] = [
  {
    name: 'conv1d and depthwise1d, small shapes',
    calls: () => calls([...windowCases(new Random(202), 200, 'conv1d'), ...windowCases(new Random(203), 200, 'depthwise1d')]),
  },
  { name: 'pointwise1d and dense, small shapes', calls: () => calls([...pointwiseCases(new Random(204), 150), ...denseCases(new Random(205), 150)]) },
  { name: 'layer-sized conv1d', calls: () => calls(largeWindowCases(new Random(210), 120, 'conv1d')) },
  {
    name: 'layer-sized depthwise1d, pointwise1d, dense',
    calls: () =>
      calls([...largeWindowCases(new Random(211), 80, 'depthwise1d'), ...largePointwiseCases(new Random(212), 80), ...largeDenseCases(new Random(213), 80)]),
  },
  { name: 'conv1d and pointwise1d past the pair buffer (tiled reduction)', calls: () => calls(tiledConvCases(new Random(219), 40)) },
  { name: 'accumulators at the int32 bound', calls: () => calls(accumulatorBoundCases(new Random(214), 200)) },
  { name: 'the per-output requantisation over the whole accumulator range', calls: () => calls(requantizeViaKernelCases(new Random(218), 300)) },
  {
    name: 'max / average / global-average pools',
    calls: () => calls([...poolCases(new Random(216), 150), ...poolCases(new Random(217), 60, { length: 64, channels: 36 })].filter((c) => c.call)),
  },
  { name: 'GRU', calls: () => calls([...gruCases(new Random(207), 60), ...gruCases(new Random(215), 12, { steps: 3, inChannels: 12, units: 40 })]) },
];

let built = 0;
async function runSuite(boardName: string, suite: (typeof SUITES)[number], misalignment: number, cflags: string[] = []): Promise<void> {
  const board = loadBoardSync(defaultWorkspaceRoot, boardName);
  const list = suite.calls();
  const dir = path.join(work, `${boardName}-${built++}`);
  const source = path.join(work, `kernels-${built}.c`);
  writeFileSync(source, emitKernelProgram(list, { inputMisalignment: misalignment }));
  const runtimeSources = readdirSync(RUNTIME)
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(RUNTIME, f));
  const image = await buildFirmware({ board, sources: [...runtimeSources, source], includeDirs: [RUNTIME], outDir: dir, cflags: ['-Werror', ...cflags] });
  const run = await runOnQemu({ board, elf: image.elf, count: 'off', timeoutMs: 120_000 });
  const failed = run.stdout.split('\n').filter((line) => line.startsWith('MISMATCH'));
  expect(failed.map((line) => `${list[Number(line.split(' ')[1])].label}: ${line.slice(0, 300)}`)).toEqual([]);
  expect(run.fault).toBeNull();
  expect(PROGRAM_RESULT_LINE.exec(run.stdout)?.slice(1)).toEqual([`${list.length}`, `${list.length}`]);
  expect(run.exitCode).toBe(0);
}

describe.skipIf(!canRun).each([
  ['stm32f446ze', 'Cortex-M4, DSP paths'],
  ['stm32h747xi', 'Cortex-M7, DSP paths'],
  ['esp32-c3', 'RV32IMC, plain C paths'],
  ['esp32-s2', 'Xtensa lx106 standing in for the LX7, plain C paths'],
])('the C kernels on QEMU equal the TypeScript reference, bit for bit: %s (%s)', (boardName) => {
  it.each(SUITES.map((suite, i) => [suite.name, i] as const))(
    '%s',
    async (_name, index) => {
      // Inputs one byte past a word boundary on odd suites: the arena's rows are not word-aligned in general.
      await runSuite(boardName, SUITES[index], index % 2);
    },
    240_000,
  );
});

describe.skipIf(!canRun)('at -Os (the other optimisation level firmware is built with), on the Cortex-M4', () => {
  it.each(SUITES.map((suite, i) => [suite.name, i] as const))(
    '%s',
    async (_name, index) => {
      await runSuite('stm32f446ze', SUITES[index], 1 - (index % 2), ['-Os']);
    },
    240_000,
  );
});

describe.skipIf(!canRun)('the alarm rule (alarm.c) on QEMU raises exactly the alarms of evaluate’s TypeScript rule', () => {
  it.each([
    ['stm32f446ze', 'Cortex-M4'],
    ['esp32-c3', 'RV32IMC'],
  ])(
    '%s (%s): random streams with resets, hops and irregular gaps, k-of-n and refractory edges',
    async (boardName) => {
      const board = loadBoardSync(defaultWorkspaceRoot, boardName);
      const random = new Random(0xa1a6);
      const streams = alarmStreams(random, 150);
      const dir = path.join(work, `alarm-${boardName}`);
      const source = path.join(work, `alarm-${boardName}.c`);
      writeFileSync(source, emitAlarmProgram(streams, random));
      const runtimeSources = readdirSync(RUNTIME)
        .filter((f) => f.endsWith('.c'))
        .map((f) => path.join(RUNTIME, f));
      const image = await buildFirmware({ board, sources: [...runtimeSources, source], includeDirs: [RUNTIME], outDir: dir, cflags: ['-Werror'] });
      const run = await runOnQemu({ board, elf: image.elf, count: 'off', timeoutMs: 120_000 });
      const failed = run.stdout.split('\n').filter((line) => line.startsWith('MISMATCH'));
      expect(failed.map((line) => `${streams[Number(line.split(' ')[1])].label}: ${line.slice(0, 300)}`)).toEqual([]);
      expect(run.fault).toBeNull();
      expect(ALARM_PROGRAM_RESULT_LINE.exec(run.stdout)?.slice(1)).toEqual([`${streams.length}`, `${streams.length}`]);
      expect(run.exitCode).toBe(0);
    },
    240_000,
  );
});

describe.skipIf(!toolchains.crossCompilers)('the runtime compiles warning-free for the DSP cores, with bounded stack frames', () => {
  it.each([
    ['cortex-m4', '-mfpu=fpv4-sp-d16'],
    ['cortex-m7', '-mfpu=fpv5-d16'],
  ])(
    '%s at -O2 and -Os with -Wall -Wextra -Wconversion -pedantic -Werror; every kernel frame static and ≤ 1.5 KB',
    async (cpu, fpu) => {
      const sources = readdirSync(RUNTIME)
        .filter((f) => f.endsWith('.c'))
        .map((f) => path.join(RUNTIME, f));
      for (const level of ['-O2', '-Os']) {
        const dir = mkdtempSync(path.join(work, `${cpu}${level}-`));
        await execa(
          'arm-none-eabi-gcc',
          [
            '-std=c11',
            '-Wall',
            '-Wextra',
            '-Werror',
            '-pedantic',
            '-Wconversion',
            '-ffp-contract=off',
            '-fstack-usage',
            level,
            `-mcpu=${cpu}`,
            '-mthumb',
            '-mfloat-abi=hard',
            fpu,
            `-I${RUNTIME}`,
            '-c',
            ...sources,
          ],
          { cwd: dir },
        );
        // The pair buffer of conv1d / pointwise1d lives on the stack: tinyml_runtime.h promises at most 1.5 KB per kernel
        // call (the STM32F446 reserves 4 KB of stack for everything).
        const frames = readdirSync(dir)
          .filter((f) => f.endsWith('.su'))
          .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
          .filter((line) => line.trim() !== '')
          .map((line) => line.split('\t'))
          .map(([where, bytes, kind]) => ({ fn: where.split(':').pop()!, bytes: Number(bytes), kind }));
        expect(frames.filter((frame) => frame.kind !== 'static')).toEqual([]);
        expect(frames.filter((frame) => frame.bytes > 1536)).toEqual([]);
        expect(Math.max(...frames.filter((frame) => frame.fn === 'tinyml_conv1d_s8').map((frame) => frame.bytes))).toBeGreaterThan(1024);
      }
    },
    120_000,
  );
});
