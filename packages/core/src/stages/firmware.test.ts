import { execa } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runOnQemu } from '../flash/qemu-run';
import { runEmitFirmwareStage } from './emit-firmware';
import { runFlashTestStage } from './flash-test';
import { runQuantizeStage } from './quantize';
import { runSamplePipeline, type SamplePipeline } from './sample-pipeline';

/**
 * The sample cascade through quantize, emit-firmware and flash-test on the real cross compilers, QEMU and the host;
 * what the machine lacks is skipped, as the run's toolchain line says.
 */
const toolchains = inject('toolchainState');
const canRun = toolchains.crossCompilers && toolchains.qemu;
let pipeline: SamplePipeline;
let quantizeDir: string;
beforeAll(async () => {
  pipeline = await runSamplePipeline();
  quantizeDir = path.join(pipeline.root, 'quantize');
  await runQuantizeStage({
    experiment: pipeline.spec.name,
    quantize: { ...pipeline.spec.quantize, goldenVectors: 16, calibrationWindows: 300 },
    seed: pipeline.spec.seed,
    board: pipeline.spec.boardDefinition,
    windowDir: pipeline.windowDir,
    cascadeDir: pipeline.cascadeDir,
    outDir: quantizeDir,
  });
}, 300_000);
afterAll(() => pipeline?.dispose());

async function emit(name: string, format: 'auto' | 'cmake' | 'esp-idf' = 'auto', board = pipeline.spec.boardDefinition) {
  const outDir = path.join(pipeline.root, name);
  const manifest = await runEmitFirmwareStage({ experiment: pipeline.spec.name, format, board, quantizeDir, outDir });
  return { outDir, manifest, read: (file: string) => readFileSync(path.join(outDir, file), 'utf8') };
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(dir, path.join(prefix, entry.name)) : [path.join(prefix, entry.name)],
  );
}

describe('emit-firmware + flash-test on the STM32F446ZE (QEMU mps2-an386, Cortex-M4)', () => {
  let firmware: Awaited<ReturnType<typeof emit>>;
  beforeAll(async () => {
    firmware = await emit('firmware');
  }, 60_000);

  it('emits model.c/.h with arena offsets from the planner, the runtime, the harness and CMake with a board.yaml linker script', () => {
    expect(firmware.manifest.buildFormat).toBe('cmake');
    const files = filesUnder(firmware.outDir);
    for (const file of ['model/model.c', 'model/model.h', 'runtime/tinyml_runtime.h', 'runtime/conv1d.c', 'test/harness.c', 'test/golden_vectors.c', 'CMakeLists.txt', 'firmware.ld', 'toolchain.cmake', 'manifest.json']) {
      expect(files, file).toContain(file);
    }
    const source = firmware.read('model/model.c');
    for (const tensor of firmware.manifest.arena.filter((t) => t.id.startsWith('act'))) expect(source).toContain(`ARENA_S8(${tensor.offset})`);
    expect(firmware.read('firmware.ld')).toMatch(/RAM \(rwx\) +: ORIGIN = 0x20000000, LENGTH = 126976/);
  });

  it('emits byte-identical sources from the same input', async () => {
    const again = await emit('firmware-again');
    for (const file of filesUnder(firmware.outDir)) expect(again.read(file), file).toBe(firmware.read(file));
  }, 60_000);

  it.skipIf(!canRun)('passes every golden vector bit-exact on QEMU, with the blob and arena exactly as predicted and counted instructions', async () => {
    const outDir = path.join(pipeline.root, 'flash-test');
    const result = await runFlashTestStage({
      experiment: pipeline.spec.name,
      runner: 'qemu',
      board: pipeline.spec.boardDefinition,
      firmwareDir: firmware.outDir,
      quantizeDir,
      outDir,
    });
    expect(result).toEqual({ runner: 'qemu', passed: 16, vectors: 16 });
    const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8'));
    expect(report.memory.blob.linked).toBe(report.memory.blob.predicted);
    expect(report.memory.arena.linked).toBe(report.memory.arena.predicted);
    expect(report.instructions.method).toBe(toolchains.counter?.kind);
    expect(report.instructions.perInference.min).toBeGreaterThan(0);
    expect(report.instructions.perExit).toHaveLength(3);
    expect(report.instructions.perExit[0].mean).toBeLessThan(report.instructions.perExit[2].mean);
    expect(report.instructions.perMac.conv1d).toBeGreaterThan(0.5);
    expect(readFileSync(path.join(outDir, 'summary.md'), 'utf8')).toMatch(/16\/16 golden vectors bit-exact on stm32f446ze \(qemu\)/);
  }, 180_000);

  it.skipIf(!canRun || !toolchains.cmake)('builds with the emitted CMake project too, and that ELF passes on QEMU', async () => {
    const build = mkdtempSync(path.join(tmpdir(), 'nxt-cmake-'));
    try {
      await execa('cmake', ['-S', firmware.outDir, '-B', build, `-DCMAKE_TOOLCHAIN_FILE=${path.join(firmware.outDir, 'toolchain.cmake')}`, '-DCMAKE_BUILD_TYPE=Release']);
      await execa('cmake', ['--build', build, '-j2']);
      const run = await runOnQemu({ board: pipeline.spec.boardDefinition, elf: path.join(build, 'tinyml_golden_test.elf'), count: 'off' });
      expect(run.stdout).toMatch(/golden: 16\/16 bit-exact/);
      expect(run.exitCode).toBe(0);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(!toolchains.crossCompilers)('fails at link time with the region and the overflow when the model does not fit the board', async () => {
    const board = pipeline.spec.boardDefinition;
    const tiny = { ...board, name: 'tiny-f446', memory: { ...board.memory, sramBytes: board.memory.reserveSramBytes + board.memory.stackBytes + 1024 } };
    await expect(
      runFlashTestStage({ experiment: pipeline.spec.name, runner: 'qemu', board: tiny, firmwareDir: firmware.outDir, quantizeDir, outDir: path.join(pipeline.root, 'tiny') }),
    ).rejects.toThrow(/does not fit tiny-f446: RAM overflowed by [\d,]+ bytes/);
  }, 120_000);
});

describe('the host runner', () => {
  it.skipIf(!toolchains.hostCompiler)('builds natively under ASan/UBSan and passes the vectors asked for (the ESP32-S2 path, which has no emulator)', async () => {
    const firmware = await emit('firmware-host', 'cmake');
    const outDir = path.join(pipeline.root, 'flash-host');
    const result = await runFlashTestStage({ experiment: pipeline.spec.name, runner: 'host', vectors: 5, board: pipeline.spec.boardDefinition, firmwareDir: firmware.outDir, quantizeDir, outDir });
    expect(result).toEqual({ runner: 'host', passed: 5, vectors: 5 });
    const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8'));
    expect(report.builtFor).toBe('host');
    expect(report.memory.arena.linked).toBe(report.memory.arena.predicted);
    expect(report.instructions).toBeNull();
  }, 180_000);

  it('writes an ESP-IDF component for the ESP32-S2', async () => {
    const { loadBoard } = await import('../spec/board');
    const { defaultWorkspaceRoot } = await import('../common/workspace');
    const firmware = await emit('firmware-esp', 'auto', await loadBoard(defaultWorkspaceRoot, 'esp32-s2'));
    expect(firmware.manifest.buildFormat).toBe('esp-idf');
    expect(firmware.read('CMakeLists.txt')).toMatch(/idf_component_register\(\n  SRCS\n    "model\/model.c"/);
    expect(firmware.read('idf_component.yml')).toMatch(/idf: ">=4.4"/);
  }, 60_000);
});
