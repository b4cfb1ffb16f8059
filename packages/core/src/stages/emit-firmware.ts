import { replaceDirAtomic } from '../common/atomic';
import { silentLog, type Log } from '../common/log';
import { defaultWorkspaceRoot } from '../common/workspace';
import type { PostProcessingRule } from '../evaluate/alarms';
import type { PackageLayout } from '../codegen/emit-build-files';
import { emitGoldenHeader, emitGoldenVectors, emitHarness, harnessInput } from '../codegen/emit-harness';
import { emitModel } from '../codegen/emit-model';
import type { FirmwareManifest } from '../codegen/firmware-manifest';
import { addBuildFiles, addRuntimeFiles, firmwareAlarmRule, firmwareManifest, writeFirmwarePackage, type PackageFiles } from '../codegen/firmware-package';
import { planModelArena } from '../model/arena-tensors';
import { estimateMemory } from '../model/memory';
import { buildFlashBlob } from '../quantize/flash-blob';
import { readGoldenVectors, readQuantizedModel, readRawInput } from '../quantize/quantized-files';
import type { BoardDefinition, FirmwareFormat } from '../spec/types';

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

/**
 * The `emit-firmware` stage: model.c/model.h from the quantised model (constants in one flash symbol, arena
 * offsets straight from the memory model's planner), the C runtime, the golden-vector test program, and the
 * board's build files — CMake with a board.yaml linker script for GCC targets, an ESP-IDF component for the
 * ESP32s. Same input, byte-identical package.
 */
export async function runEmitFirmwareStage(input: EmitFirmwareStageInput): Promise<FirmwareManifest> {
  const log = input.log ?? silentLog;
  const workspaceRoot = input.workspaceRoot ?? defaultWorkspaceRoot;
  const model = await readQuantizedModel(input.quantizeDir);
  const golden = await readGoldenVectors(input.quantizeDir);
  const buildFormat = input.format === 'auto' ? (input.board.toolchain === 'esp-idf' ? 'esp-idf' : 'cmake') : input.format;
  const rawInput = await readRawInput(input.quantizeDir);
  const blob = buildFlashBlob(model);
  const plan = planModelArena(model.ir);
  const alarm = firmwareAlarmRule(input.postProcessing, rawInput, model.ir.head === 'evidential' ? (model.ir.events ?? 0) : 0);
  const memory = estimateMemory(model.ir, input.board, undefined, alarm);
  const emitted = emitModel({ name: input.experiment, model, blob, plan, rawInput, alarm });
  const harness = harnessInput(model, golden.vectors, alarm);

  const files: PackageFiles = new Map();
  files.set('model/model.h', emitted.header);
  files.set('model/model.c', emitted.source);
  const runtimeFiles = await addRuntimeFiles(files, workspaceRoot);
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
  await addBuildFiles(files, layout, buildFormat, input.experiment, input.board, workspaceRoot);

  const { experiment, board } = input;
  const manifest = firmwareManifest({ experiment, board, buildFormat, layout, model, blob, plan, memory, rawInput, alarm, harness, files });
  await replaceDirAtomic(input.outDir, (dir) => writeFirmwarePackage(dir, files, manifest));
  log(
    `emit-firmware: alarm rule ${alarm.k} of ${alarm.n}, refractory ${alarm.refractorySamples} samples${alarm.refractoryWindows === null ? '' : ` (${alarm.refractoryWindows} windows)`}; ` +
      `${buildFormat} package for ${input.board.name}: model.c with a ${blob.bytes.length}-byte flash blob and a ${plan.arenaBytes}-byte arena, ` +
      `${runtimeFiles.length} runtime files, ${golden.vectors.length} golden vectors; ${files.size} files`,
  );
  return manifest;
}
