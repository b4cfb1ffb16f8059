import * as path from 'node:path';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import type { DeviceAlarmRule } from '../evaluate/alarms';
import type { FlashBreakdown, SramBreakdown } from '../model/memory';
import type { RawInputSpec } from '../quantize/raw-input';
import type { PackageLayout } from './emit-build-files';

/** emit-firmware's hand-off to flash-test (and anyone integrating the package): `manifest.json` at the package root. */
export const FIRMWARE_MANIFEST_FILE = 'manifest.json';
export const FIRMWARE_MANIFEST_FORMAT = 'nx-tinyml/firmware@1';

export interface FirmwareManifest {
  format: typeof FIRMWARE_MANIFEST_FORMAT;
  experiment: string;
  board: string;
  buildFormat: 'cmake' | 'esp-idf';
  layout: PackageLayout;
  /** The memory model's figures the build must reproduce: flash blob and arena bytes exactly. */
  predicted: {
    blobBytes: number;
    arenaBytes: number;
    arenaLowerBound: number;
    inputBytes: number;
    stackBytes: number;
    flash: FlashBreakdown;
    sram: SramBreakdown;
  };
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

/** Reads `<dir>/manifest.json`; missing, malformed or foreign is a UserError naming it. */
export async function readFirmwareManifest(dir: string): Promise<FirmwareManifest> {
  return readJsonArtifact<FirmwareManifest>(
    path.join(dir, FIRMWARE_MANIFEST_FILE),
    { what: 'the firmware package', producer: 'emit-firmware', format: FIRMWARE_MANIFEST_FORMAT },
    (manifest) => missingFields(manifest, { layout: 'object', predicted: 'object', postProcessing: 'object', files: 'array' }),
  );
}

export async function writeFirmwareManifest(dir: string, manifest: FirmwareManifest): Promise<void> {
  await writeJsonArtifact(path.join(dir, FIRMWARE_MANIFEST_FILE), manifest);
}
