import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../common/errors';
import { resolveResource } from '../common/workspace';
import { describeRule, deviceAlarmRule, type DeviceAlarmRule, type PostProcessingRule } from '../evaluate/alarms';
import { firmwareTarget, platformDir, platformSources } from '../build-and-run/firmware-target';
import { linkerScript } from '../build-and-run/linker-script';
import type { ArenaPlan } from '../model/arena';
import type { ArenaTensor } from '../model/arena-tensors';
import type { MemoryReport } from '../model/memory';
import type { FlashBlob } from '../quantize/flash-blob';
import type { QuantizedModel } from '../quantize/quantized-model';
import type { RawInputSpec } from '../quantize/raw-input';
import type { BoardDefinition } from '../spec/types';
import { cmakeLists, cmakeToolchain, espIdfComponent, type PackageLayout } from './emit-build-files';
import type { HarnessEmitInput } from './emit-harness';
import { FIRMWARE_MANIFEST_FORMAT, writeFirmwareManifest, type FirmwareManifest } from './firmware-manifest';

/** A firmware package's files by path inside it, before they are written. */
export type PackageFiles = Map<string, string | Uint8Array>;

/** The spec's alarm rule in the device's integers, refused when they do not fit its counters. */
export function firmwareAlarmRule(rule: PostProcessingRule, rawInput: RawInputSpec, events: number): DeviceAlarmRule {
  const alarm = deviceAlarmRule(rule, rawInput.sampleRateHz, rawInput.hop);
  if (alarm.refractorySamples > 2 ** 31 - 1) {
    throw new UserError(
      `emit-firmware: evaluate.postProcessing.refractorySeconds ${rule.refractorySeconds} s is ${alarm.refractorySamples} samples at ${rawInput.sampleRateHz} Hz, more than the device's int32 counter holds`,
    );
  }
  if (events > 255) throw new UserError(`emit-firmware: the alarm rule keeps each decision in a byte; ${events} events are more than 255`);
  return alarm;
}

/** The workspace's C runtime (firmware/runtime/*.[ch]) into `files` under runtime/; returns the file names, sorted. */
export async function addRuntimeFiles(files: PackageFiles, workspaceRoot: string): Promise<string[]> {
  const runtimeDir = resolveResource(workspaceRoot, path.join('firmware', 'runtime'));
  const runtimeFiles = (await readdir(runtimeDir)).filter((f) => /\.[ch]$/.test(f)).sort();
  for (const file of runtimeFiles) files.set(`runtime/${file}`, await readFile(path.join(runtimeDir, file)));
  return runtimeFiles;
}

/**
 * The board's build files into `files`: CMake with the platform sources, a toolchain file and a board.yaml linker
 * script for GCC targets, or an ESP-IDF component. Fills in `layout.platformSources`.
 */
export async function addBuildFiles(
  files: PackageFiles,
  layout: PackageLayout,
  buildFormat: 'cmake' | 'esp-idf',
  experiment: string,
  board: BoardDefinition,
  workspaceRoot: string,
): Promise<void> {
  if (buildFormat === 'esp-idf') {
    const component = espIdfComponent(experiment, layout);
    files.set('CMakeLists.txt', component.cmake);
    files.set('idf_component.yml', component.manifest);
    return;
  }
  const target = firmwareTarget(board);
  const root = platformDir(workspaceRoot);
  const sources = platformSources(workspaceRoot, target.arch).map((file) => path.relative(root, file));
  for (const file of [...sources, ...(await readdir(path.join(root, 'include'))).map((f) => path.join('include', f))].sort()) {
    files.set(`platform/${file}`, await readFile(path.join(root, file)));
  }
  layout.platformSources = sources.map((file) => `platform/${file}`);
  files.set('CMakeLists.txt', cmakeLists(experiment, target, layout));
  if (target.machine !== null) {
    files.set('toolchain.cmake', cmakeToolchain(target));
    files.set('firmware.ld', linkerScript(board, { arch: target.arch as Exclude<typeof target.arch, 'host'>, machine: target.machine }));
  }
}

export interface FirmwareManifestInput {
  experiment: string;
  board: BoardDefinition;
  buildFormat: 'cmake' | 'esp-idf';
  layout: PackageLayout;
  model: QuantizedModel;
  blob: FlashBlob;
  plan: ArenaPlan<ArenaTensor>;
  memory: MemoryReport;
  rawInput: RawInputSpec;
  alarm: DeviceAlarmRule;
  harness: HarnessEmitInput;
  files: PackageFiles;
}

/** The package's manifest: the memory model's predictions, the arena, the input map and alarm rule, and every file's hash. */
export function firmwareManifest(input: FirmwareManifestInput): FirmwareManifest {
  const { alarm, plan, harness } = input;
  return {
    format: FIRMWARE_MANIFEST_FORMAT,
    experiment: input.experiment,
    board: input.board.name,
    buildFormat: input.buildFormat,
    layout: input.layout,
    predicted: {
      blobBytes: input.blob.bytes.length,
      arenaBytes: plan.arenaBytes,
      arenaLowerBound: plan.lowerBoundBytes,
      inputBytes: harness.inputSize,
      stackBytes: input.board.memory.stackBytes,
      flash: input.memory.flash,
      sram: input.memory.sram,
    },
    arena: plan.tensors.map(({ id, offset, bytes, firstStep, lastStep }) => ({ id, offset, bytes, firstStep, lastStep })),
    input: { ...input.rawInput, dtype: 'int16', layout: '[t][c]', function: 'tinyml_input_from_raw' },
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
    exits: input.model.exits.length,
    vectors: harness.vectors.length,
    files: [...input.files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([file, content]) => {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        return { path: file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }),
  };
}

/** Every file of the package and its manifest into `dir`. */
export async function writeFirmwarePackage(dir: string, files: PackageFiles, manifest: FirmwareManifest): Promise<void> {
  for (const [file, content] of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await writeFirmwareManifest(dir, manifest);
}
