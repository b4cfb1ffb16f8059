import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import type { FlashBlob } from './flash-blob';
import type { OnnxModels } from './onnx/onnx-export';
import { QUANTIZED_MODEL_FORMAT, type QuantizedModel } from './quantized-model';
import type { RawInputSpec } from './raw-input';

/**
 * The quantize stage's hand-off to emit-firmware, flash-test and evaluate: the int8 model, its flash blob, the raw
 * input map the device runs, the golden vectors the firmware must reproduce, and the ONNX exports. Types and file
 * names only, so the firmware stages read them without loading the quantiser or the training code.
 */
export const QUANTIZED_MODEL_FILE = 'quantized-model.json';
export const FLASH_BLOB_FILE = 'model.bin';
export const FLASH_SECTIONS_FILE = 'flash-sections.json';
export const GOLDEN_FILE = 'golden.json';
export const RAW_INPUT_FILE = 'raw-input.json';
export const ONNX_FLOAT_FILE = 'model.onnx';
export const ONNX_INT8_FILE = 'model.int8.onnx';
export const GOLDEN_FORMAT = 'nx-tinyml/golden@1';

/** One golden vector: an int8 window and what the integer model answers, as the firmware must reproduce it. */
export interface GoldenVector {
  /** Window index in the store, its subject and true class. */
  window: number;
  subject: string;
  label: string;
  /** null, or how this copy of the window was damaged (a lost signal, sensor noise) to exercise the input gate. */
  damage: string | null;
  /** The input gate's verdict (null without a gate). */
  inputOk: boolean | null;
  /** The window as the device's sensors give it: int16 [t][c] counts (raw-input.json says their units). */
  raw: number[];
  /**
   * `window.rrFeatures`: the beat's RR intervals in samples (data/rr-features.ts `rrIntervalsAt`), from which the
   * firmware recomputes the raw window's RR channels; absent for damaged copies (their RR channels were damaged too).
   */
  rrIntervals?: number[];
  /** The int8 model input the raw window maps to (rawToInput). */
  input: number[];
  /** The cascade as it runs: the exits evaluated until one took the window. */
  exitTaken: number | null;
  exits: { exit: number; evidence: number[]; pQ15: number[]; uQ15: number[]; present: number[]; maxUQ15: number; takes: boolean }[];
  /** The prediction tensor of the exit taken (or the model's output). */
  output: number[];
  /** (E + 1)-class decision: 0 = no event, 1 + j = event j. */
  decision: number;
  /** Every exit evaluated (runAllExits): the heads the thresholds would skip are checked too. */
  allExits: { exit: number; evidence: number[]; pQ15: number[]; uQ15: number[] }[];
}

export interface GoldenFile {
  format: typeof GOLDEN_FORMAT;
  events: string[];
  classes: string[];
  vectors: GoldenVector[];
}

/** The model's files the quantize stage writes (besides its report). */
export interface QuantizedFiles {
  model: QuantizedModel;
  blob: FlashBlob;
  rawInput: RawInputSpec;
  golden: GoldenFile;
  /** model.onnx (float) and model.int8.onnx (QDQ). */
  onnx: OnnxModels;
}

const producer = 'quantize';

/** Reads `<dir>/quantized-model.json`; missing, malformed or foreign is a UserError naming it. */
export async function readQuantizedModel(dir: string): Promise<QuantizedModel> {
  return readJsonArtifact<QuantizedModel>(
    path.join(dir, QUANTIZED_MODEL_FILE),
    { what: 'the quantised model', producer, format: QUANTIZED_MODEL_FORMAT },
    (model) => missingFields(model, { ir: 'object', header: 'object', tensors: 'array', ops: 'array', exits: 'array' }),
  );
}

/** Reads `<dir>/golden.json`. */
export async function readGoldenVectors(dir: string): Promise<GoldenFile> {
  return readJsonArtifact<GoldenFile>(path.join(dir, GOLDEN_FILE), { what: 'the golden vectors', producer, format: GOLDEN_FORMAT }, (golden) =>
    missingFields(golden, { vectors: 'array' }),
  );
}

/** Reads `<dir>/raw-input.json`. */
export async function readRawInput(dir: string): Promise<RawInputSpec> {
  return readJsonArtifact<RawInputSpec>(path.join(dir, RAW_INPUT_FILE), { what: 'the raw input map', producer, format: 'nx-tinyml/raw-input@1' }, (spec) =>
    missingFields(spec, { sampleRateHz: 'number', windowLength: 'number' }),
  );
}

/** Writes the model's files into `dir`, each atomically. */
export async function writeQuantizedFiles(dir: string, files: QuantizedFiles): Promise<void> {
  await writeFileAtomic(path.join(dir, ONNX_FLOAT_FILE), files.onnx.float);
  await writeFileAtomic(path.join(dir, ONNX_INT8_FILE), files.onnx.int8);
  await writeJsonArtifact(path.join(dir, QUANTIZED_MODEL_FILE), files.model);
  await writeFileAtomic(path.join(dir, FLASH_BLOB_FILE), files.blob.bytes);
  await writeJsonArtifact(path.join(dir, FLASH_SECTIONS_FILE), files.blob.sections);
  await writeJsonArtifact(path.join(dir, RAW_INPUT_FILE), files.rawInput);
  await writeJsonArtifact(path.join(dir, GOLDEN_FILE), files.golden);
}
