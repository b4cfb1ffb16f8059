import * as path from 'node:path';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import type { NormalizedWindow } from '../spec/types';

/**
 * The window store's manifest (`windows.json`), the window stage's hand-off to every later stage: what the payload
 * (`windows.bin`) holds, the classes, subjects, recordings and folds with their normalisation statistics.
 */
export const WINDOW_STORE_FORMAT = 'nx-tinyml/windows@1';
export const MANIFEST_FILE = 'windows.json';

/** The payload's typed sections (`windows.bin`), as the manifest describes them. */
export type SectionDtype = 'float32' | 'uint32' | 'uint16' | 'uint8';

export interface SectionInfo {
  dtype: SectionDtype;
  /** Byte offset in the payload (8-byte aligned). */
  offset: number;
  shape: number[];
}

export interface WindowSections {
  /** [samples, channels]: every recording, back to back. */
  signals: SectionInfo;
  /** [windows]: first sample of each window, an index into `signals` rows. */
  windowStart: SectionInfo;
  /** [windows]: class index into `classes`. */
  windowLabel: SectionInfo;
  /** [windows]: subject index into `subjects`. */
  windowSubject: SectionInfo;
  /** [windows]: recording index into `recordings`. */
  windowRecording: SectionInfo;
  /** [windows, 9], `window.rrFeatures` only: each beat's RR intervals in samples (data/rr-features.ts `rrIntervalsAt`). */
  windowRr?: SectionInfo;
}

export interface WindowManifest {
  format: typeof WINDOW_STORE_FORMAT;
  experiment: string;
  dataset: { id: string; title: string; variant: 'full' | 'sample'; archiveSha256: string; licence: string; citation: string };
  window: {
    mode: NormalizedWindow['mode'];
    sampleRateHz: number;
    nativeRateHz: number;
    /** Samples per window. */
    length: number;
    /** Samples between window starts (sliding mode), else null. */
    stride: number | null;
    /**
     * The signal channels (in `signals`), then any derived per window: `derived: 'rr'` channels hold the beat's
     * RR-interval features, `perCount` the value of one integer feature unit.
     */
    channels: { name: string; unit: string; perCount?: number; derived?: 'rr' }[];
    labels: NormalizedWindow['labels'];
    /** How the folds were made; under `stratified` the "subjects" are fold groups, not people. */
    folds: { scheme: NormalizedWindow['folds']['scheme']; k: number | null };
  };
  classes: string[];
  counts: { windows: number; perClass: number[]; imbalanceRatio: number | null };
  subjects: { id: string; recordings: number; windows: number; perClass: number[] }[];
  recordings: { name: string; subject: string; offset: number; length: number; windows: number }[];
  folds: WindowFold[];
  payload: { file: string; bytes: number; sha256: string; endianness: 'little'; sections: WindowSections };
}

export interface WindowFold {
  name: string;
  train: string[];
  test: string[];
  /** Per channel, over every sample of the training subjects' recordings. */
  normalization: { mean: number[]; std: number[] };
  trainCounts: number[];
  testCounts: number[];
  classWeights: number[];
  imbalanceRatio: number | null;
}

/** Reads `<dir>/windows.json`; a missing, malformed or foreign file is a UserError naming it. */
export async function readWindowManifest(dir: string): Promise<WindowManifest> {
  return readJsonArtifact<WindowManifest>(
    path.join(dir, MANIFEST_FILE),
    { what: 'the window store manifest', producer: 'window', format: WINDOW_STORE_FORMAT },
    (manifest) => missingFields(manifest, { classes: 'array', subjects: 'array', recordings: 'array', folds: 'array', window: 'object', payload: 'object' }),
  );
}

/** Writes `<dir>/windows.json` atomically (the payload beside it must already be complete). */
export async function writeWindowManifest(dir: string, manifest: WindowManifest): Promise<void> {
  await writeJsonArtifact(path.join(dir, MANIFEST_FILE), manifest);
}
