import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeRule } from '../evaluate/alarms';
import { runOnQemu } from '../build-and-run/qemu-run';
import { estimateMemory, postProcessingBytes } from '../model/memory';
import { runEmitFirmwareStage } from './emit-firmware';
import { runFlashTestStage } from './flash-test';
import { runQuantizeStage } from './quantize';
import type { GoldenFile } from '../quantize/quantized-files';
import { runSamplePipeline, type SamplePipeline } from '../../testing/sample-pipeline';

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
  await quantize(pipeline.cascadeDir, quantizeDir);
}, 300_000);
afterAll(() => pipeline?.dispose());

/** The quantize stage on a cascade of the sample pipeline, with 16 golden vectors. */
async function quantize(cascadeDir: string, outDir: string) {
  await runQuantizeStage({
    experiment: pipeline.spec.name,
    quantize: { ...pipeline.spec.quantize, goldenVectors: 16, calibrationWindows: 300 },
    seed: pipeline.spec.seed,
    board: pipeline.spec.boardDefinition,
    windowDir: pipeline.windowDir,
    cascadeDir,
    outDir,
  });
}

async function emit(
  name: string,
  format: 'auto' | 'cmake' | 'esp-idf' = 'auto',
  board = pipeline.spec.boardDefinition,
  postProcessing = pipeline.spec.evaluate.postProcessing,
) {
  const outDir = path.join(pipeline.root, name);
  const manifest = await runEmitFirmwareStage({ experiment: pipeline.spec.name, format, board, postProcessing, quantizeDir, outDir });
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
    for (const file of [
      'model/model.c',
      'model/model.h',
      'runtime/tinyml_runtime.h',
      'runtime/conv1d.c',
      'test/harness.c',
      'test/golden_vectors.c',
      'CMakeLists.txt',
      'firmware.ld',
      'toolchain.cmake',
      'manifest.json',
    ]) {
      expect(files, file).toContain(file);
    }
    const source = firmware.read('model/model.c');
    for (const tensor of firmware.manifest.arena.filter((t) => t.id.startsWith('act'))) expect(source).toContain(`ARENA_S8(${tensor.offset})`);
    expect(firmware.read('firmware.ld')).toMatch(/RAM \(rwx\) +: ORIGIN = 0x20000000, LENGTH = 126976/);
  });

  it('says what the device is fed: int16 samples in SisFall units, channel order, rate, window and hop, with the integer map', () => {
    const header = firmware.read('model/model.h');
    expect(header).toContain('#define TINYML_SAMPLE_RATE_HZ 100');
    expect(header).toContain('#define TINYML_WINDOW_HOP 12');
    expect(header).toContain('#define TINYML_CHANNEL_ORDER "acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z"');
    expect(header).toContain('#define TINYML_CHANNEL_UNITS "g,g,g,deg/s,deg/s,deg/s"');
    expect(header).toMatch(/0: acc_x, one count = 0\.00390625 g \(the sensor's ADC count, from the dataset\)/);
    expect(header).toContain('void tinyml_input_from_raw(const int16_t *raw, int8_t *input);');
    const { input } = firmware.manifest;
    expect([input.dtype, input.layout, input.sampleRateHz, input.windowLength, input.hop]).toEqual(['int16', '[t][c]', 100, 120, 12]);
    expect(input.channels.map((c) => c.perCount)).toEqual([...new Array(3).fill(32 / 8192), ...new Array(3).fill(4000 / 65536)]);
    // The normalisation the integrator needs is in the package now, not only in cascade-model.json.
    for (const c of input.channels) expect(c.std).toBeGreaterThan(0);
    expect(firmware.read('test/golden_vectors.c')).toMatch(/const int16_t golden_raw\[GOLDEN_VECTORS\]\[TINYML_INPUT_SIZE\]/);
  });

  it("carries the spec's alarm rule (evaluate.postProcessing) into model.h, model.c and manifest.json, in words and in integers", async () => {
    expect(pipeline.spec.evaluate.postProcessing).toEqual({ k: 2, n: 3, refractorySeconds: 5 });
    const header = firmware.read('model/model.h');
    // 5 s at 100 Hz = 500 samples; windows 12 samples apart: ceil(500 / 12) = 42.
    for (const line of [
      '#define TINYML_ALARM_K 2',
      '#define TINYML_ALARM_N 3',
      '#define TINYML_ALARM_REFRACTORY_SAMPLES 500',
      '#define TINYML_ALARM_REFRACTORY_WINDOWS 42',
      '#define TINYML_ALARM_EVENTS TINYML_EVENTS',
    ]) {
      expect(header).toContain(line);
    }
    expect(header).toContain('per event: an alarm when 2 of the last 3 consecutive windows decided as the event');
    expect(header).toContain('int32_t tinyml_postprocess(int32_t decision, int32_t elapsed_samples, uint8_t *alarms);');
    expect(header).toContain('void tinyml_postprocess_reset(void);');
    expect(firmware.read('model/model.c')).toContain('return tinyml_alarm_update(&tinyml_alarm_state, decision, elapsed_samples, alarms);');
    expect(firmware.read('runtime/alarm.c')).toContain('int32_t tinyml_alarm_update(');
    expect(firmware.manifest.layout.runtimeSources).toContain('runtime/alarm.c');
    const { postProcessing } = firmware.manifest;
    expect(postProcessing).toMatchObject({
      k: 2,
      n: 3,
      refractorySeconds: 5,
      sampleRateHz: 100,
      hop: 12,
      refractorySamples: 500,
      refractoryWindows: 42,
      function: 'tinyml_postprocess',
    });
    expect(postProcessing.description).toBe(describeRule({ k: 2, n: 3, refractorySeconds: 5 }));
    expect(postProcessing.conversion).toBe(
      'refractorySamples = ceil(refractorySeconds * sampleRateHz) = ceil(5 * 100) = 500; refractoryWindows = ceil(refractorySamples / hop) = ceil(500 / 12) = 42',
    );
    expect(JSON.parse(firmware.read('manifest.json')).postProcessing).toEqual(postProcessing);
    // The golden program runs the rule over the vectors' decisions and compares each vector's alarms.
    expect(firmware.read('test/golden_vectors.h')).toContain('#define GOLDEN_ALARM_ELAPSED_SAMPLES 12');
    expect(firmware.read('test/harness.c')).toContain('tinyml_postprocess(tinyml_result.decision, GOLDEN_ALARM_ELAPSED_SAMPLES, alarms)');

    // Another rule: other numbers, the same model.
    const other = await emit('firmware-rule', 'auto', pipeline.spec.boardDefinition, { k: 1, n: 1, refractorySeconds: 0.36 });
    expect(other.read('model/model.h')).toContain('#define TINYML_ALARM_REFRACTORY_SAMPLES 36');
    expect(other.read('model/model.h')).toContain('#define TINYML_ALARM_REFRACTORY_WINDOWS 3');
    expect(other.manifest.postProcessing.description).toBe(describeRule({ k: 1, n: 1, refractorySeconds: 0.36 }));
    expect(other.read('model/model.c')).toBe(firmware.read('model/model.c'));
  }, 60_000);

  it('emits byte-identical sources from the same input', async () => {
    const again = await emit('firmware-again');
    for (const file of filesUnder(firmware.outDir)) expect(again.read(file), file).toBe(firmware.read(file));
  }, 60_000);

  it.skipIf(!canRun)(
    'passes every golden vector bit-exact on QEMU, with the blob and arena exactly as predicted and counted instructions',
    async () => {
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
      expect(report.memory.result.linked).toBe(report.memory.result.predicted);
      expect(report.memory.staticRam.measured).toBeGreaterThan(0);
      expect(report.memory.staticRam.measured).toBeLessThanOrEqual(report.memory.staticRam.estimateInBoardYaml);
      expect(report.memory.sram.used).toBeLessThanOrEqual(report.memory.sram.predicted);
      expect(report.instructions.method).toBe(toolchains.counter?.kind);
      expect(report.instructions.perInference.min).toBeGreaterThan(0);
      expect(report.instructions.perExit).toHaveLength(3);
      expect(report.instructions.perExit[0].mean).toBeLessThan(report.instructions.perExit[2].mean);
      expect(report.instructions.perMac.conv1d).toBeGreaterThan(0.5);
      expect(readFileSync(path.join(outDir, 'summary.md'), 'utf8')).toMatch(/16\/16 golden vectors bit-exact on stm32f446ze \(qemu\)/);
      // The device's alarm rule over the vectors' decisions raised the alarms evaluate's rule raises (each vector's
      // flags are compared; some alarm among them, so the comparison is not vacuous).
      const alarms =
        (firmware.read('test/golden_vectors.c').match(/golden_alarms\[GOLDEN_VECTORS\]\[GOLDEN_EVENTS\] = \{([^;]*)\};/)?.[1] ?? '')
          .match(/\d/g)
          ?.map(Number) ?? [];
      expect(alarms).toHaveLength(16);
      const raised = alarms.reduce((a, b) => a + b, 0);
      expect(raised).toBeGreaterThan(0);
      expect(readFileSync(path.join(outDir, 'output.txt'), 'utf8')).toContain(`alarm rule: ${raised} alarms over the vectors as one stream`);
    },
    180_000,
  );

  it.skipIf(!canRun || !toolchains.cmake)(
    'builds with the emitted CMake project too, and that ELF passes on QEMU',
    async () => {
      const build = mkdtempSync(path.join(tmpdir(), 'nxt-cmake-'));
      try {
        await execa('cmake', [
          '-S',
          firmware.outDir,
          '-B',
          build,
          `-DCMAKE_TOOLCHAIN_FILE=${path.join(firmware.outDir, 'toolchain.cmake')}`,
          '-DCMAKE_BUILD_TYPE=Release',
        ]);
        await execa('cmake', ['--build', build, '-j2']);
        const run = await runOnQemu({ board: pipeline.spec.boardDefinition, elf: path.join(build, 'tinyml_golden_test.elf'), count: 'off' });
        expect(run.stdout).toMatch(/golden: 16\/16 bit-exact/);
        expect(run.exitCode).toBe(0);
      } finally {
        rmSync(build, { recursive: true, force: true });
      }
    },
    180_000,
  );

  it.skipIf(!toolchains.crossCompilers)(
    'fails at link time with the region and the overflow when the model does not fit the board',
    async () => {
      const board = pipeline.spec.boardDefinition;
      const tiny = { ...board, name: 'tiny-f446', memory: { ...board.memory, sramBytes: board.memory.reserveSramBytes + board.memory.stackBytes + 1024 } };
      await expect(
        runFlashTestStage({
          experiment: pipeline.spec.name,
          runner: 'qemu',
          board: tiny,
          firmwareDir: firmware.outDir,
          quantizeDir,
          outDir: path.join(pipeline.root, 'tiny'),
        }),
      ).rejects.toThrow(/does not fit tiny-f446: RAM overflowed by [\d,]+ bytes/);
    },
    120_000,
  );

  // Issue 16 item 10: a model the budget accepted failed to link by the harness's own RAM, and the error's two figures
  // disagreed (ld's overflow counted alignment gaps, its breakdown did not).
  it.skipIf(!canRun)(
    'links and runs a model that fills the SRAM budget exactly (the memory model counts all static RAM)',
    async () => {
      const board = pipeline.spec.boardDefinition;
      const model = JSON.parse(readFileSync(path.join(quantizeDir, 'quantized-model.json'), 'utf8'));
      const alarm = JSON.parse(firmware.read('manifest.json')).postProcessing;
      const used = estimateMemory(model.ir, board, undefined, alarm).budget.sramUsed;
      expect(used - estimateMemory(model.ir, board).budget.sramUsed).toBe(postProcessingBytes(alarm.n, model.ir.events, 4));
      const exact = { ...board, name: 'exact-f446', memory: { ...board.memory, sramBytes: board.memory.reserveSramBytes + used } };
      expect(estimateMemory(model.ir, exact, undefined, alarm).fits).toBe(true);
      expect(estimateMemory(model.ir, { ...exact, memory: { ...exact.memory, sramBytes: exact.memory.sramBytes - 1 } }, undefined, alarm).fits).toBe(false);
      const outDir = path.join(pipeline.root, 'flash-exact');
      const result = await runFlashTestStage({
        experiment: pipeline.spec.name,
        runner: 'qemu',
        vectors: 2,
        board: exact,
        firmwareDir: firmware.outDir,
        quantizeDir,
        outDir,
      });
      expect(result).toEqual({ runner: 'qemu', passed: 2, vectors: 2 });
      const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8'));
      expect(report.memory.sram.used).toBeLessThanOrEqual(report.memory.sram.capacity);
      expect(report.memory.sram.used).toBeLessThanOrEqual(report.memory.sram.predicted);
    },
    180_000,
  );

  it.skipIf(!toolchains.crossCompilers)(
    'names board.yaml and memory.runtimeRamBytes when the static-RAM estimate is too small, with one overflow figure',
    async () => {
      const board = pipeline.spec.boardDefinition;
      const model = JSON.parse(readFileSync(path.join(quantizeDir, 'quantized-model.json'), 'utf8'));
      const underestimated = { ...board, name: 'under-f446', memory: { ...board.memory, runtimeRamBytes: 0 } };
      const used = estimateMemory(model.ir, underestimated).budget.sramUsed;
      const exact = { ...underestimated, memory: { ...underestimated.memory, sramBytes: board.memory.reserveSramBytes + used } };
      expect(estimateMemory(model.ir, exact).fits).toBe(true);
      const error = await runFlashTestStage({
        experiment: pipeline.spec.name,
        runner: 'qemu',
        vectors: 2,
        board: exact,
        firmwareDir: firmware.outDir,
        quantizeDir,
        outDir: path.join(pipeline.root, 'flash-under'),
      }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(/board\.yaml memory\.runtimeRamBytes/);
      expect(message).toMatch(/runtimeRamBytes is 0/);
      // One figure: the bytes over equal what it needs minus the region's size, and the terms add up to what it needs.
      const overflow = /RAM overflowed by ([\d,]+) bytes \(RAM is ([\d,]+) bytes[^;]*; it needs ([\d,]+): ([^)]*)\)/.exec(message);
      expect(overflow, message).not.toBeNull();
      const n = (text: string) => Number(text.replace(/,/g, ''));
      const [over, capacity, needs] = [n(overflow![1]), n(overflow![2]), n(overflow![3])];
      expect(over).toBe(needs - capacity);
      expect(overflow![4].split(' + ').reduce((total, term) => total + n(term.match(/\d[\d,]*/g)!.at(-1)!), 0)).toBe(needs);
      // With room to spare the image links, and flash-test still refuses the estimate.
      await expect(
        runFlashTestStage({
          experiment: pipeline.spec.name,
          runner: 'qemu',
          vectors: 2,
          board: underestimated,
          firmwareDir: firmware.outDir,
          quantizeDir,
          outDir: path.join(pipeline.root, 'flash-under-roomy'),
        }),
      ).rejects.toThrow(
        /memory\.runtimeRamBytes is 0 bytes, but this build for under-f446 takes \d+ bytes of static RAM[\s\S]*raise memory\.runtimeRamBytes in firmware\/boards\/stm32f446ze\/board\.yaml to at least \d+/,
      );
    },
    120_000,
  );
});

describe('the host runner', () => {
  it.skipIf(!toolchains.hostCompiler)(
    'builds natively under ASan/UBSan and passes the vectors asked for',
    async () => {
      const firmware = await emit('firmware-host', 'cmake');
      const outDir = path.join(pipeline.root, 'flash-host');
      const result = await runFlashTestStage({
        experiment: pipeline.spec.name,
        runner: 'host',
        vectors: 5,
        board: pipeline.spec.boardDefinition,
        firmwareDir: firmware.outDir,
        quantizeDir,
        outDir,
      });
      expect(result).toEqual({ runner: 'host', passed: 5, vectors: 5 });
      const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8'));
      expect(report.builtFor).toBe('host');
      expect(report.memory.arena.linked).toBe(report.memory.arena.predicted);
      expect(report.instructions).toBeNull();
    },
    180_000,
  );

  it.skipIf(!toolchains.hostCompiler)(
    'a cascade that exits on the decision uncertainty: the firmware computes it as the reference does, vector for vector',
    async () => {
      // The sample cascade with exitUncertainty decision, quantized again: its golden vectors come from the reference
      // interpreter's decision rule, and the firmware must reproduce every max_u_q15 and exit.
      const cascadeDir = path.join(pipeline.root, 'cascade-decision');
      cpSync(pipeline.cascadeDir, cascadeDir, { recursive: true });
      const modelFile = path.join(cascadeDir, 'cascade-model.json');
      const model = JSON.parse(readFileSync(modelFile, 'utf8'));
      writeFileSync(modelFile, JSON.stringify({ ...model, ir: { ...model.ir, exitUncertainty: 'decision' } }));
      const decisionQuantizeDir = path.join(pipeline.root, 'quantize-decision');
      await quantize(cascadeDir, decisionQuantizeDir);
      const exitU = (dir: string) =>
        (JSON.parse(readFileSync(path.join(dir, 'golden.json'), 'utf8')) as GoldenFile).vectors.flatMap((v) => v.exits.map((e) => e.maxUQ15));
      // The same evidence, another uncertainty: at least one exit reads differently (else this would test nothing).
      expect(exitU(decisionQuantizeDir)).not.toEqual(exitU(quantizeDir));
      const outDir = path.join(pipeline.root, 'firmware-decision');
      await runEmitFirmwareStage({
        experiment: pipeline.spec.name,
        format: 'cmake',
        board: pipeline.spec.boardDefinition,
        postProcessing: pipeline.spec.evaluate.postProcessing,
        quantizeDir: decisionQuantizeDir,
        outDir,
      });
      const result = await runFlashTestStage({
        experiment: pipeline.spec.name,
        runner: 'host',
        board: pipeline.spec.boardDefinition,
        firmwareDir: outDir,
        quantizeDir: decisionQuantizeDir,
        outDir: path.join(pipeline.root, 'flash-decision'),
      });
      expect(result).toEqual({ runner: 'host', passed: 16, vectors: 16 });
      expect(readFileSync(path.join(outDir, 'model/model.c'), 'utf8')).toMatch(/tinyml_evidential_head\([^;]*, 1, out->p_q15/);
    },
    300_000,
  );

  it.skipIf(!toolchains.hostCompiler)(
    "event-centred windows (no hop): the rule in samples only, each gap passed by the caller; the golden stream raises the reference's alarms",
    async () => {
      // The same model as if its windows were centred on events (MIT-BIH beats): raw-input.json without a hop.
      const beatQuantizeDir = path.join(pipeline.root, 'quantize-no-hop');
      cpSync(quantizeDir, beatQuantizeDir, { recursive: true });
      const rawFile = path.join(beatQuantizeDir, 'raw-input.json');
      writeFileSync(rawFile, JSON.stringify({ ...JSON.parse(readFileSync(rawFile, 'utf8')), hop: null }));
      const outDir = path.join(pipeline.root, 'firmware-no-hop');
      const rule = { k: 1, n: 2, refractorySeconds: 1.5 };
      const manifest = await runEmitFirmwareStage({
        experiment: pipeline.spec.name,
        format: 'cmake',
        board: pipeline.spec.boardDefinition,
        postProcessing: rule,
        quantizeDir: beatQuantizeDir,
        outDir,
      });
      expect(manifest.postProcessing).toMatchObject({ ...rule, hop: null, refractorySamples: 150, refractoryWindows: null });
      const header = readFileSync(path.join(outDir, 'model/model.h'), 'utf8');
      expect(header).toContain('#define TINYML_ALARM_REFRACTORY_SAMPLES 150');
      expect(header).not.toContain('TINYML_ALARM_REFRACTORY_WINDOWS');
      // The golden stream: windows a window length (120 samples) apart, so an alarm at most every second vector.
      expect(readFileSync(path.join(outDir, 'test/golden_vectors.h'), 'utf8')).toContain('#define GOLDEN_ALARM_ELAPSED_SAMPLES 120');
      const flashDir = path.join(pipeline.root, 'flash-no-hop');
      const result = await runFlashTestStage({
        experiment: pipeline.spec.name,
        runner: 'host',
        board: pipeline.spec.boardDefinition,
        firmwareDir: outDir,
        quantizeDir: beatQuantizeDir,
        outDir: flashDir,
      });
      expect(result).toEqual({ runner: 'host', passed: 16, vectors: 16 });
      const alarms = Number(/alarm rule: (\d+) alarms/.exec(readFileSync(path.join(flashDir, 'output.txt'), 'utf8'))?.[1]);
      expect(alarms).toBeGreaterThan(1);
    },
    180_000,
  );

  it('writes an ESP-IDF component for the ESP32-S2', async () => {
    const { loadBoard } = await import('../spec/board');
    const { defaultWorkspaceRoot } = await import('../common/workspace');
    const firmware = await emit('firmware-esp', 'auto', await loadBoard(defaultWorkspaceRoot, 'esp32-s2'));
    expect(firmware.manifest.buildFormat).toBe('esp-idf');
    expect(firmware.read('CMakeLists.txt')).toMatch(/idf_component_register\(\n  SRCS\n    "model\/model.c"/);
    expect(firmware.read('idf_component.yml')).toMatch(/idf: ">=4.4"/);
  }, 60_000);
});

describe('the same package from raw input on the other emulated cores', () => {
  it.skipIf(!canRun).each(['stm32h747xi', 'esp32-c3'])(
    '%s: the golden vectors asked for, raw windows converted on the device, bit-exact',
    async (boardName) => {
      const { loadBoard } = await import('../spec/board');
      const { defaultWorkspaceRoot } = await import('../common/workspace');
      const board = await loadBoard(defaultWorkspaceRoot, boardName);
      const firmware = await emit(`firmware-${boardName}`, 'cmake', board);
      const outDir = path.join(pipeline.root, `flash-${boardName}`);
      const result = await runFlashTestStage({
        experiment: pipeline.spec.name,
        runner: 'qemu',
        vectors: 4,
        board,
        firmwareDir: firmware.outDir,
        quantizeDir,
        outDir,
      });
      expect(result).toEqual({ runner: 'qemu', passed: 4, vectors: 4 });
    },
    240_000,
  );
});

describe('flash-test on the ESP32-S2: Xtensa lx106 on QEMU sim, then natively under ASan/UBSan', () => {
  it.skipIf(!canRun || !toolchains.hostCompiler)(
    'runs every golden vector from raw input bit-exact on the lx106 with counted instructions, and again on the host',
    async () => {
      const { loadBoard } = await import('../spec/board');
      const { defaultWorkspaceRoot } = await import('../common/workspace');
      const board = await loadBoard(defaultWorkspaceRoot, 'esp32-s2');
      const firmware = await emit('firmware-xtensa', 'auto', board);
      const outDir = path.join(pipeline.root, 'flash-xtensa');
      const result = await runFlashTestStage({ experiment: pipeline.spec.name, runner: 'auto', board, firmwareDir: firmware.outDir, quantizeDir, outDir });
      expect(result).toEqual({ runner: 'qemu', passed: 16, vectors: 16 });
      const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8'));
      expect(report.executed).toEqual({ core: 'lx106', boardCore: 'xtensa-lx7', standIn: true, emulator: 'qemu-system-xtensa -M sim -cpu lx106' });
      expect(report.secondRunner).toEqual({ runner: 'host', builtFor: 'host', passed: 16, total: 16, bitExact: true });
      expect(report.memory.builtWith).toBe('xtensa');
      expect(report.memory.blob.linked).toBe(report.memory.blob.predicted);
      expect(report.instructions.method).toBe(toolchains.counter?.kind);
      expect(report.instructions.perExit).toHaveLength(3);
      expect(report.instructions.perExit[0].mean).toBeLessThan(report.instructions.perExit[2].mean);
      expect(report.instructions.perMac.conv1d).toBeGreaterThan(0.5);
      const summary = readFileSync(path.join(outDir, 'summary.md'), 'utf8');
      expect(summary).toMatch(/Executed core: lx106 on `qemu-system-xtensa -M sim -cpu lx106` — not the board's xtensa-lx7/);
      // The ELF really is Xtensa code.
      const { stdout } = await execa('xtensa-lx106-elf-readelf', ['-h', path.join(outDir, 'firmware.elf')]);
      expect(stdout).toMatch(/Machine:\s+Tensilica Xtensa Processor/);
    },
    300_000,
  );
});
