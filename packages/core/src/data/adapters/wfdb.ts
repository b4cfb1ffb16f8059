/**
 * Readers for the PhysioNet WFDB formats MIT-BIH ships in: the text header (.hea), signal format 212 (.dat) and
 * the MIT annotation format (.atr). Only what single-segment records need; anything else is refused with a
 * DataFormatError rather than misread. Reference: https://physionet.org/physiotools/wag/ (header(5), signal(5),
 * annot(5)), checked against the WFDB library's lib/annot.c.
 */
import * as path from 'node:path';
import { DataFormatError } from '../../common/errors';
import { readDatasetFile } from '../read-dataset-file';

export interface WfdbSignal {
  /** Signal file name, relative to the header's folder. */
  file: string;
  /** Storage format, e.g. 212. */
  format: number;
  /** Byte offset of the first sample in `file` (the `+offset` suffix of the format field). */
  byteOffset: number;
  /** ADC units per physical unit. */
  gain: number;
  /** ADC value that corresponds to 0 physical units: the `(baseline)` of the gain field, else `adcZero`. */
  baseline: number;
  /** Physical unit (`/unit` of the gain field), `mV` when absent. */
  units: string;
  adcResolution: number;
  adcZero: number;
  /** First sample, when the header states it. */
  initialValue?: number;
  /** 16-bit sum of all samples, when the header states it. */
  checksum?: number;
  blockSize: number;
  /** Free text; for ECG records the lead name (MLII, V1, ...). */
  description: string;
}

export interface WfdbHeader {
  record: string;
  samplingFrequencyHz: number;
  /** Samples per signal; undefined when the header leaves it to the signal file's length. */
  samplesPerSignal?: number;
  signals: WfdbSignal[];
}

/** WFDB's defaults (header(5)): 250 Hz, gain 200 adu per mV when absent or 0 (uncalibrated). */
const DEFAULT_FREQUENCY_HZ = 250;
const DEFAULT_GAIN = 200;

const NUMBER = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
const FORMAT_FIELD = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/;
const GAIN_FIELD = new RegExp(`^(${NUMBER})(?:\\((-?\\d+)\\))?(?:/(\\S+))?$`);
const FREQUENCY_FIELD = new RegExp(`^(${NUMBER})(?:/.*)?$`);
const INTEGER = /^[-+]?\d+$/;

/** Parses a header's text. `file` names it in errors, which also carry the 1-based line. */
export function parseWfdbHeader(text: string, file: string): WfdbHeader {
  const lines = text.split('\n');
  let header: WfdbHeader | undefined;
  let expectedSignals = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].replace(/\r$/, '');
    const lineNo = index + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fail = (detail: string): never => {
      throw new DataFormatError(file, lineNo, detail);
    };
    const fields = tokens(line);
    if (header === undefined) {
      const [name, signalCount, frequency, samples] = fields.map((f) => f.text);
      if (name.includes('/')) fail(`multi-segment record "${name}" is not supported`);
      if (signalCount === undefined || !/^\d+$/.test(signalCount)) fail(`record line needs a signal count, found "${trimmed}"`);
      let samplingFrequencyHz = DEFAULT_FREQUENCY_HZ;
      if (frequency !== undefined) {
        const match = FREQUENCY_FIELD.exec(frequency);
        if (!match || !(Number(match[1]) > 0)) fail(`bad sampling frequency "${frequency}"`);
        samplingFrequencyHz = Number(match![1]);
      }
      let samplesPerSignal: number | undefined;
      if (samples !== undefined) {
        if (!/^\d+$/.test(samples)) fail(`bad number of samples "${samples}"`);
        // 0 means "not stated" (header(5)); the signal file's length decides then.
        samplesPerSignal = Number(samples) || undefined;
      }
      expectedSignals = Number(signalCount);
      header = { record: name, samplingFrequencyHz, samplesPerSignal, signals: [] };
      continue;
    }
    if (header.signals.length === expectedSignals) fail(`more signal lines than the ${expectedSignals} the record line announces`);
    header.signals.push(parseSignalLine(fields, line, fail));
  }
  if (header === undefined) throw new DataFormatError(file, undefined, 'no record line');
  if (header.signals.length !== expectedSignals) {
    throw new DataFormatError(file, undefined, `record line announces ${expectedSignals} signals, found ${header.signals.length} signal lines`);
  }
  return header;
}

function parseSignalLine(fields: Token[], line: string, fail: (detail: string) => never): WfdbSignal {
  const text = fields.map((f) => f.text);
  if (text.length < 2) fail(`signal line needs at least a file name and a format, found "${line.trim()}"`);
  const format = FORMAT_FIELD.exec(text[1]);
  if (!format) fail(`bad format field "${text[1]}"`);
  if (format[2] !== undefined && format[2] !== '1') fail(`multi-frequency signals ("${text[1]}") are not supported`);
  if (format[3] !== undefined && format[3] !== '0') fail(`skewed signals ("${text[1]}") are not supported`);
  const integer = (at: number, what: string, fallback: number): number => {
    const value = text[at];
    if (value === undefined) return fallback;
    if (!INTEGER.test(value)) fail(`bad ${what} "${value}"`);
    return Number(value);
  };
  let gain = DEFAULT_GAIN;
  let baseline: number | undefined;
  let units = 'mV';
  if (text[2] !== undefined) {
    const match = GAIN_FIELD.exec(text[2]);
    if (!match) fail(`bad gain field "${text[2]}" (expected gain[(baseline)][/unit])`);
    gain = Number(match[1]) === 0 ? DEFAULT_GAIN : Number(match[1]);
    if (match[2] !== undefined) baseline = Number(match[2]);
    if (match[3] !== undefined) units = match[3];
  }
  const formatNumber = Number(format[1]);
  const adcResolution = integer(3, 'ADC resolution', 0) || defaultResolution(formatNumber);
  const adcZero = integer(4, 'ADC zero', 0);
  return {
    file: text[0],
    format: formatNumber,
    byteOffset: format[4] === undefined ? 0 : Number(format[4]),
    gain,
    baseline: baseline ?? adcZero,
    units,
    adcResolution,
    adcZero,
    initialValue: text[5] === undefined ? undefined : integer(5, 'initial value', 0),
    checksum: text[6] === undefined ? undefined : integer(6, 'checksum', 0),
    blockSize: integer(7, 'block size', 0),
    // The description is the rest of the line and may contain spaces.
    description: fields.length > 8 ? line.slice(fields[8].start).trim() : '',
  };
}

function defaultResolution(format: number): number {
  return format === 8 || format === 80 ? 8 : format === 16 || format === 61 || format === 160 ? 16 : 12;
}

interface Token {
  text: string;
  start: number;
}

function tokens(line: string): Token[] {
  const found: Token[] = [];
  for (const match of line.matchAll(/\S+/g)) found.push({ text: match[0], start: match.index ?? 0 });
  return found;
}

/**
 * Decodes format 212: pairs of 12-bit two's-complement samples packed in 3 bytes (s0 = b0 | (b1 & 0x0F) << 8,
 * s1 = b2 | (b1 & 0xF0) << 4), samples of the file's signals interleaved frame by frame. Returns one array per
 * signal of the file. A truncated file is an error: silently short signals would shift every later annotation.
 */
export function decodeFormat212(bytes: Uint8Array, signalCount: number, samplesPerSignal: number, file: string, byteOffset = 0): Int16Array[] {
  const total = signalCount * samplesPerSignal;
  const needed = byteOffset + Math.ceil((total * 3) / 2);
  if (bytes.length < needed) {
    throw new DataFormatError(file, undefined, `${bytes.length} bytes, but ${samplesPerSignal} samples × ${signalCount} signals in format 212 need ${needed}`);
  }
  const signals = Array.from({ length: signalCount }, () => new Int16Array(samplesPerSignal));
  let signal = 0;
  let time = 0;
  const put = (value: number): void => {
    // Sign-extend 12 bits through the top of a 32-bit integer.
    signals[signal][time] = (value << 20) >> 20;
    if (++signal === signalCount) {
      signal = 0;
      time++;
    }
  };
  let at = byteOffset;
  const pairs = total >> 1;
  if (signalCount === 2) {
    // The common case (every MIT-BIH record): one 3-byte group is one frame.
    const [first, second] = signals;
    for (let t = 0; t < pairs; t++, at += 3) {
      const b1 = bytes[at + 1];
      first[t] = ((bytes[at] | ((b1 & 0x0f) << 8)) << 20) >> 20;
      second[t] = ((bytes[at + 2] | ((b1 & 0xf0) << 4)) << 20) >> 20;
    }
    return signals;
  }
  for (let p = 0; p < pairs; p++, at += 3) {
    const b1 = bytes[at + 1];
    put(bytes[at] | ((b1 & 0x0f) << 8));
    put(bytes[at + 2] | ((b1 & 0xf0) << 4));
  }
  if (total & 1) put(bytes[at] | ((bytes[at + 1] & 0x0f) << 8));
  return signals;
}

/** Throws unless each signal's first sample and 16-bit checksum equal what the header states (when it does). */
export function verifyWfdbSignals(samples: readonly Int16Array[], signals: readonly WfdbSignal[], datFile: string): void {
  signals.forEach((spec, index) => {
    const values = samples[index];
    const label = `signal ${index} (${spec.description || 'no description'})`;
    if (spec.initialValue !== undefined && values.length > 0 && values[0] !== spec.initialValue) {
      throw new DataFormatError(datFile, undefined, `${label}: first sample ${values[0]} ≠ initial value ${spec.initialValue} in the header`);
    }
    if (spec.checksum !== undefined) {
      let sum = 0;
      for (let t = 0; t < values.length; t++) sum += values[t];
      // WFDB's checksum is the sum modulo 2^16, written as a signed 16-bit number.
      if (((sum - spec.checksum) & 0xffff) !== 0) {
        const actual = ((sum & 0xffff) << 16) >> 16;
        throw new DataFormatError(datFile, undefined, `${label}: checksum ${actual} ≠ ${spec.checksum} in the header`);
      }
    }
  });
}

export interface WfdbRecord {
  header: WfdbHeader;
  /** Samples per signal. */
  length: number;
  /** Raw ADC values, one array per header signal. */
  samples: Int16Array[];
}

/**
 * Reads the signal files a header names (format 212 only; `<dir>/<record>.hea` is read when no header is given)
 * and verifies every signal against the header's initial value and checksum.
 */
export async function readWfdbRecord(dir: string, record: string, header?: WfdbHeader): Promise<WfdbRecord> {
  const hea = header ?? (await readWfdbHeader(dir, record));
  const samples: Int16Array[] = new Array<Int16Array>(hea.signals.length);
  let length = hea.samplesPerSignal;
  const files = [...new Set(hea.signals.map((s) => s.file))];
  for (const file of files) {
    const indices = hea.signals.flatMap((s, i) => (s.file === file ? [i] : []));
    const specs = indices.map((i) => hea.signals[i]);
    const datPath = path.join(dir, file);
    const { byteOffset } = specs[0];
    if (specs.some((s) => s.format !== 212 || s.byteOffset !== byteOffset)) {
      throw new DataFormatError(datPath, undefined, `only WFDB format 212 is supported (header says ${specs.map((s) => s.format).join(', ')})`);
    }
    const bytes = await readDatasetFile(datPath);
    const perSignal = length ?? Math.floor(((bytes.length - byteOffset) * 2) / 3 / indices.length);
    length = perSignal;
    const decoded = decodeFormat212(bytes, indices.length, perSignal, datPath, byteOffset);
    verifyWfdbSignals(decoded, specs, datPath);
    indices.forEach((signalIndex, k) => (samples[signalIndex] = decoded[k]));
  }
  return { header: hea, length: length ?? 0, samples };
}

export async function readWfdbHeader(dir: string, record: string): Promise<WfdbHeader> {
  const file = path.join(dir, `${record}.hea`);
  return parseWfdbHeader((await readDatasetFile(file)).toString('latin1'), file);
}

export interface WfdbAnnotation {
  /** Sample number (time) of the annotation. */
  sample: number;
  /** Annotation code (ecgcodes.h), 0–49. */
  code: number;
  /** WFDB mnemonic of `code` (N, V, +, ...; `[code]` for codes without one). */
  mnemonic: string;
  subtype: number;
  chan: number;
  num: number;
  /** Auxiliary text (rhythm annotations carry e.g. `(AFIB`), without the trailing NUL. */
  aux?: string;
}

/** Mnemonics of the standard annotation codes (WFDB ecgcodes.h / annstr()). */
export const ANNOTATION_MNEMONICS: Readonly<Record<number, string>> = {
  1: 'N',
  2: 'L',
  3: 'R',
  4: 'a',
  5: 'V',
  6: 'F',
  7: 'J',
  8: 'A',
  9: 'S',
  10: 'E',
  11: 'j',
  12: '/',
  13: 'Q',
  14: '~',
  16: '|',
  18: 's',
  19: 'T',
  20: '*',
  21: 'D',
  22: '"',
  23: '=',
  24: 'p',
  25: 'B',
  26: '^',
  27: 't',
  28: '+',
  29: 'u',
  30: '?',
  31: '!',
  32: '[',
  33: ']',
  34: 'e',
  35: 'n',
  36: '@',
  37: 'x',
  38: 'f',
  39: '(',
  40: ')',
  41: 'r',
};

export function annotationMnemonic(code: number): string {
  return ANNOTATION_MNEMONICS[code] ?? `[${code}]`;
}

/** Pseudo-annotation codes of the MIT format (annot(5)); real codes are 0–49 (ACMAX). */
const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;
const LAST_CODE = 49;

/**
 * Decodes an MIT-format annotation file: 16-bit little-endian words, code = word >> 10, time increment =
 * word & 0x3FF. SKIP carries a 32-bit increment in the next 4 bytes (PDP-11 order: high word first, each word
 * little-endian); NUM, SUB, CHN and AUX modify the annotation just read (NUM and CHN also carry over to later
 * ones); AUX's increment field is a byte count, padded to even. A zero word, or the end of the file, ends it.
 */
export function parseMitAnnotations(bytes: Uint8Array, file: string): WfdbAnnotation[] {
  const annotations: WfdbAnnotation[] = [];
  let time = 0;
  let chan = 0;
  let num = 0;
  let at = 0;
  const fail = (detail: string): never => {
    throw new DataFormatError(file, undefined, `byte ${at}: ${detail}`);
  };
  const last = (what: string): WfdbAnnotation => annotations[annotations.length - 1] ?? fail(`${what} before the first annotation`);
  while (at + 1 < bytes.length) {
    const word = bytes[at] | (bytes[at + 1] << 8);
    const code = word >> 10;
    const data = word & 0x3ff;
    if (word === 0) return annotations;
    switch (code) {
      case SKIP: {
        if (at + 6 > bytes.length) fail('SKIP without its 4-byte interval');
        const high = bytes[at + 2] | (bytes[at + 3] << 8);
        const low = bytes[at + 4] | (bytes[at + 5] << 8);
        time += (high << 16) | low; // `<< 16` makes it a signed 32-bit value, as in WFDB
        at += 6;
        continue;
      }
      case NUM:
        num = data;
        last('NUM').num = num;
        break;
      case SUB:
        last('SUB').subtype = data;
        break;
      case CHN:
        chan = data;
        last('CHN').chan = chan;
        break;
      case AUX: {
        const end = at + 2 + data;
        if (end > bytes.length) fail(`AUX of ${data} bytes runs past the end of the file`);
        let text = '';
        for (let i = at + 2; i < end && bytes[i] !== 0; i++) text += String.fromCharCode(bytes[i]);
        last('AUX').aux = text;
        at = end + (data & 1);
        continue;
      }
      default:
        if (code > LAST_CODE) fail(`unknown annotation code ${code}`);
        time += data;
        annotations.push({ sample: time, code, mnemonic: annotationMnemonic(code), subtype: 0, chan, num });
    }
    at += 2;
  }
  if (at < bytes.length) fail('odd trailing byte');
  return annotations;
}

export async function readMitAnnotations(file: string): Promise<WfdbAnnotation[]> {
  return parseMitAnnotations(await readDatasetFile(file), file);
}
