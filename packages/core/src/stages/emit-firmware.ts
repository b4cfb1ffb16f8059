import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { defaultWorkspaceRoot, resolveResource } from '../common/workspace';
import { describeRule, deviceAlarmRule, type DeviceAlarmRule, type PostProcessingRule } from '../evaluate/alarms';
import { cmakeLists, cmakeToolchain, espIdfComponent, type PackageLayout } from '../firmware/emit-build-files';
import { emitGoldenHeader, emitGoldenVectors, emitHarness, harnessInput } from '../firmware/emit-harness';
import { emitModel } from '../firmware/emit-model';
import { firmwareTarget, platformDir, platformSources } from '../flash/firmware-target';
import { linkerScript } from '../flash/linker-script';
import { planModelArena } from '../model/arena-tensors';
import { estimateMemory } from '../model/memory';
import { buildFlashBlob } from '../quantize/flash-blob';
import type { QuantizedModel } from '../quantize/quantized-model';
import type { BoardDefinition, FirmwareFormat } from '../spec/types';
import type { RawInputSpec } from '../quantize/raw-input';
import { GOLDEN_FILE, QUANTIZED_MODEL_FILE, RAW_INPUT_FILE, type GoldenVector } from './quantize';
import { readStageOutput } from './read-stage-output';

export interface EmitFirmwareStageInput {
  experiment: string;
  format: FirmwareFormat;
  board: BoardDefinition;
  /** The alarm rule on the window decisions: the spec's evaluate.postProcessing (the rule evaluate scores with). */
  postProcessing: PostProcessingRule;
  /** The quantize stage's output folder. */
  quantizeDir: string;
  outDir: string;
  workspaceRoot?: string;
  log?: Log;
}

export const FIRMWARE_MANIFEST_FILE = 'manifest.json';

/** What flash-test (and anyone integrating the package) needs to know about an emitted package. */
export interface FirmwareManifest {
  format: 'nx-tinyml/firmware@1';
  experiment: string;
  board: string;
  buildFormat: 'cmake' | 'esp-idf';
  layout: PackageLayout;
  /** The memory model's figures the build must reproduce: flash blob and arena bytes exactly. */
  predicted: { blobBytes: number; arenaBytes: number; arenaLowerBound: number; inputBytes: number; stackBytes: number; flash: unknown; sram: unknown };
  arena: { id: string; offset: number; bytes: number; firstStep: number; lastStep: number }[];
  /** What the device is fed (int16 samples: rate, window, hop, channel order, units per count) and its integer map. */
  input: RawInputSpec & { dtype: 'int16'; layout: '[t][c]'; function: 'tinyml_input_from_raw' };
  /** The alarm rule the device runs on its decisions (model.h TINYML_ALARM_*), in words and in integers. */
  postProcessing: DeviceAlarmRule & { description: string; conversion: string; function: 'tinyml_postprocess' };
  events: number;
  exits: number;
  vectors: number;
  files: { path: string; bytes: number; sha256: string }[];
}

/**
 * The `emit-firmware` stage: model.c/model.h from the quantised model (constants in one flash symbol, arena
 * offsets straight from the memory model's planner), the C runtime, the golden-vector test program, and the
 * board's build files — CMake with a board.yaml linker script for GCC targets, an ESP-IDF component for the
 * ESP32s. Same input, byte-identical package.
 */
export async function runEmitFirmwareStage(input: EmitFirmwareStageInput): Promise<FirmwareManifest> {
  const log = input.log ?? silentLog;
  const workspaceRoot = input.workspaceRoot ?? defaultWorkspaceRoot;
  const model = await readStageOutput<QuantizedModel>(path.join(input.quantizeDir, QUANTIZED_MODEL_FILE), 'the quantised model', 'quantize');
  const golden = await readStageOutput<{ vectors: GoldenVector[] }>(path.join(input.quantizeDir, GOLDEN_FILE), 'the golden vectors', 'quantize');
  const buildFormat = input.format === 'auto' ? (input.board.toolchain === 'esp-idf' ? 'esp-idf' : 'cmake') : input.format;
  const rawInput = await readStageOutput<RawInputSpec>(path.join(input.quantizeDir, RAW_INPUT_FILE), 'the raw input map', 'quantize');
  const blob = buildFlashBlob(model);
  const plan = planModelArena(model.ir);
  const alarm = firmwareAlarmRule(input.postProcessing, rawInput, model.ir.head === 'evidential' ? (model.ir.events ?? 0) : 0);
  const memory = estimateMemory(model.ir, input.board, undefined, alarm);
  const emitted = emitModel({ name: input.experiment, model, blob, plan, rawInput, alarm });
  const harness = harnessInput(model, golden.vectors, alarm);

  const files = new Map<string, string | Uint8Array>();
  files.set('model/model.h', emitted.header);
  files.set('model/model.c', emitted.source);
  const runtimeDir = resolveResource(workspaceRoot, path.join('firmware', 'runtime'));
  const runtimeFiles = (await readdir(runtimeDir)).filter((f) => /\.[ch]$/.test(f)).sort();
  for (const file of runtimeFiles) files.set(`runtime/${file}`, await readFile(path.join(runtimeDir, file)));
  files.set('test/harness.c', emitHarness(harness));
  files.set('test/golden_vectors.c', emitGoldenVectors(harness));
  files.set('test/golden_vectors.h', emitGoldenHeader(harness));

  const layout: PackageLayout = {
    modelSources: ['model/model.c'],
    runtimeSources: runtimeFiles.filter((f) => f.endsWith('.c')).map((f) => `runtime/${f}`),
    testSources: ['test/harness.c', 'test/golden_vectors.c'],
    platformSources: [],
    includeDirs: { model: ['model', 'runtime'], test: ['test', 'platform/include'] },
  };
  if (buildFormat === 'cmake') {
    const target = firmwareTarget(input.board);
    const root = platformDir(workspaceRoot);
    const sources = platformSources(workspaceRoot, target.arch).map((file) => path.relative(root, file));
    for (const file of [...sources, ...(await readdir(path.join(root, 'include'))).map((f) => path.join('include', f))].sort()) {
      files.set(`platform/${file}`, await readFile(path.join(root, file)));
    }
    layout.platformSources = sources.map((file) => `platform/${file}`);
    files.set('CMakeLists.txt', cmakeLists(input.experiment, target, layout));
    if (target.machine !== null) {
      files.set('toolchain.cmake', cmakeToolchain(target));
      files.set('firmware.ld', linkerScript(input.board, { arch: target.arch as Exclude<typeof target.arch, 'host'>, machine: target.machine }));
    }
  } else {
    const component = espIdfComponent(input.experiment, layout);
    files.set('CMakeLists.txt', component.cmake);
    files.set('idf_component.yml', component.manifest);
  }

  const manifest: FirmwareManifest = {
    format: 'nx-tinyml/firmware@1',
    experiment: input.experiment,
    board: input.board.name,
    buildFormat,
    layout,
    predicted: {
      blobBytes: blob.bytes.length,
      arenaBytes: plan.arenaBytes,
      arenaLowerBound: plan.lowerBoundBytes,
      inputBytes: harness.inputSize,
      stackBytes: input.board.memory.stackBytes,
      flash: memory.flash,
      sram: memory.sram,
    },
    arena: plan.tensors.map(({ id, offset, bytes, firstStep, lastStep }) => ({ id, offset, bytes, firstStep, lastStep })),
    input: { ...rawInput, dtype: 'int16', layout: '[t][c]', function: 'tinyml_input_from_raw' },
    postProcessing: {
      ...alarm,
      description: describeRule(alarm),
      conversion:
        `refractorySamples = ceil(refractorySeconds * sampleRateHz) = ceil(${alarm.refractorySeconds} * ${alarm.sampleRateHz}) = ${alarm.refractorySamples}` +
        (alarm.refractoryWindows === null
          ? '; event-centred windows (no hop): the device passes the samples between window ends'
          : `; refractoryWindows = ceil(refractorySamples / hop) = ceil(${alarm.refractorySamples} / ${alarm.hop}) = ${alarm.refractoryWindows}`),
      function: 'tinyml_postprocess',
    },
    events: harness.events,
    exits: model.exits.length,
    vectors: golden.vectors.length,
    files: [...files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([file, content]) => {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        return { path: file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }),
  };
  await replaceDirAtomic(input.outDir, async (dir) => {
    for (const [file, content] of files) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    await writeFile(path.join(dir, FIRMWARE_MANIFEST_FILE), `${canonicalJson(manifest, 1)}\n`);
  });
  log(
    `emit-firmware: alarm rule ${alarm.k} of ${alarm.n}, refractory ${alarm.refractorySamples} samples${alarm.refractoryWindows === null ? '' : ` (${alarm.refractoryWindows} windows)`}; ` +
      `${buildFormat} package for ${input.board.name}: model.c with a ${blob.bytes.length}-byte flash blob and a ${plan.arenaBytes}-byte arena, ` +
      `${runtimeFiles.length} runtime files, ${golden.vectors.length} golden vectors; ${files.size} files`,
  );
  return manifest;
}

/** The spec's alarm rule in the device's integers, refused when they do not fit its counters. */
function firmwareAlarmRule(rule: PostProcessingRule, rawInput: RawInputSpec, events: number): DeviceAlarmRule {
  const alarm = deviceAlarmRule(rule, rawInput.sampleRateHz, rawInput.hop);
  if (alarm.refractorySamples > 2 ** 31 - 1) {
    throw new UserError(
      `emit-firmware: evaluate.postProcessing.refractorySeconds ${rule.refractorySeconds} s is ${alarm.refractorySamples} samples at ${rawInput.sampleRateHz} Hz, more than the device's int32 counter holds`,
    );
  }
  if (events > 255) throw new UserError(`emit-firmware: the alarm rule keeps each decision in a byte; ${events} events are more than 255`);
  return alarm;
}
