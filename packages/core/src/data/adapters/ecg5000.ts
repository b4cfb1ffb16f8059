/**
 * UCR ECG5000: single heartbeats from BIDMC CHF record chf07, each already cut out, resampled to 140 samples and
 * z-normalised by the UCR archive. One Recording per beat (row).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DataFormatError, UserError } from '../../common/errors';
import type { AdapterOptions, DatasetAdapter, Recording } from '../recording';

export const ECG5000_LABELS = ['normal', 'abnormal'] as const;
export const ECG5000_BEAT_LENGTH = 140;
export const ECG5000_TRAIN_FILE = 'ECG5000_TRAIN.txt';
export const ECG5000_TEST_FILE = 'derived_binary_test/ECG5000_TEST_reconstructed_binary.txt';

/**
 * Nominal only: the UCR archive resampled every beat to 140 samples whatever its duration, so there is no true
 * sampling rate. 140 "Hz" makes one beat one second long, which keeps windowing arithmetic simple.
 */
const NOMINAL_RATE_HZ = 140;

interface Ecg5000Part {
  subject: 'train' | 'test';
  file: string;
  /** Maps the row's first value to a label, or undefined when the value is not a valid class. */
  label: (value: number) => string | undefined;
  classes: string;
}

/**
 * The train file keeps UCR's five classes (1 = normal, 2–5 = four abnormal kinds); the derived test file only
 * has a binary column 0 (1 = normal, 0 = abnormal; see the archive's README). Both collapse to normal/abnormal.
 * Sorted by subject, because recordings are yielded in name order and `test/…` sorts before `train/…`.
 */
const PARTS: readonly Ecg5000Part[] = [
  { subject: 'test', file: ECG5000_TEST_FILE, label: (v) => (v === 1 ? 'normal' : v === 0 ? 'abnormal' : undefined), classes: '0 or 1' },
  {
    subject: 'train',
    file: ECG5000_TRAIN_FILE,
    label: (v) => (v === 1 ? 'normal' : v >= 2 && v <= 5 && Number.isInteger(v) ? 'abnormal' : undefined),
    classes: '1 to 5',
  },
];

export const ecg5000Adapter: DatasetAdapter = {
  id: 'ecg5000',
  nativeRateHz: NOMINAL_RATE_HZ,
  channels: [{ name: 'ecg', unit: 'z-normalised' }],
  defaultChannels: ['ecg'],
  labels: ECG5000_LABELS,
  splits: { 'train-test': { train: ['train'], test: ['test'] } },
  recordings: ecg5000Recordings,
};

/**
 * Yields `test/0001…` then `train/0001…`. The train file must exist; the test file is optional, because the
 * committed sample leaves it out (10 MB of text) — as for absent subjects elsewhere, it then yields nothing.
 */
async function* ecg5000Recordings(root: string, options: AdapterOptions = {}): AsyncGenerator<Recording> {
  const channels = options.channels ?? ecg5000Adapter.defaultChannels;
  if (channels.length !== 1 || channels[0] !== 'ecg') {
    throw new UserError(`ecg5000 has one channel, "ecg"; asked for ${channels.map((c) => `"${c}"`).join(', ') || 'none'}`);
  }
  for (const part of PARTS) {
    if (options.subjects !== undefined && !options.subjects.includes(part.subject)) continue;
    const file = path.join(root, part.file);
    const bytes = await readPart(file, part.subject === 'train');
    if (bytes === undefined) continue;
    const table = parseUcrTable(bytes, file, ECG5000_BEAT_LENGTH);
    for (let row = 0; row < table.rows; row++) {
      const classValue = table.classValues[row];
      const label = part.label(classValue);
      if (label === undefined) {
        throw new DataFormatError(file, table.lineOfRow[row], `class ${classValue} is not one of ${part.classes}`);
      }
      const start = row * ECG5000_BEAT_LENGTH;
      yield {
        subject: part.subject,
        name: `${part.subject}/${String(row + 1).padStart(4, '0')}`,
        rateHz: NOMINAL_RATE_HZ,
        channels: ['ecg'],
        length: ECG5000_BEAT_LENGTH,
        data: table.samples.slice(start, start + ECG5000_BEAT_LENGTH),
        recordingLabel: label,
      };
    }
  }
}

async function readPart(file: string, required: boolean): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (required) throw new UserError(`${file}: file not found (is this the extracted ecg5000 archive?)`);
    return undefined;
  }
}

export interface UcrTable {
  rows: number;
  /** First value of each row (the class). */
  classValues: Float64Array;
  /** `rows × length` series values, row after row. */
  samples: Float32Array;
  /** 1-based line of each row, for error messages. */
  lineOfRow: Uint32Array;
}

/**
 * Parses UCR "txt" rows: whitespace-separated numbers, the class first, then `length` values. Blank lines are
 * skipped; a row with another count, or a token that is not a number, is a DataFormatError naming file:line.
 * A hand-written byte loop: the 10 MB test file parses in tens of milliseconds instead of the split-and-Number
 * path's hundreds.
 */
export function parseUcrTable(bytes: Uint8Array, file: string, length: number): UcrTable {
  let lines = 1;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  const classValues = new Float64Array(lines);
  const samples = new Float32Array(lines * length);
  const lineOfRow = new Uint32Array(lines);
  const row = new Float64Array(length + 1);
  const scanner = new NumberScanner(bytes);
  let rows = 0;
  for (let line = 1; scanner.at < bytes.length; line++) {
    let count = 0;
    for (;;) {
      const next = scanner.skipSpaces();
      if (next === NEWLINE || next === END) break;
      const value = scanner.number();
      if (Number.isNaN(value)) throw new DataFormatError(file, line, `"${scanner.token()}" is not a number`);
      if (count <= length) row[count] = value;
      count++;
    }
    scanner.at++; // past the newline
    if (count === 0) continue;
    if (count !== length + 1) throw new DataFormatError(file, line, `expected ${length + 1} values (class + ${length} samples), found ${count}`);
    classValues[rows] = row[0];
    samples.set(row.subarray(1), rows * length);
    lineOfRow[rows] = line;
    rows++;
  }
  return { rows, classValues: classValues.slice(0, rows), samples: samples.slice(0, rows * length), lineOfRow: lineOfRow.slice(0, rows) };
}

export const NEWLINE = 10;
export const END = -1;
/** Exact powers of ten: a double up to 2^53 times or divided by one of these is correctly rounded (Clinger). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT_DIGITS = 15;

/** Reads decimal numbers (optionally signed, with fraction and exponent) from ASCII bytes, one token at a time. */
export class NumberScanner {
  at = 0;
  private start = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Skips spaces, tabs and CRs; returns the byte it stops at, or END. */
  skipSpaces(): number {
    const { bytes } = this;
    while (this.at < bytes.length) {
      const c = bytes[this.at];
      if (c !== 32 && c !== 9 && c !== 13) return c;
      this.at++;
    }
    return END;
  }

  /**
   * Parses the token at `at` and moves past it; NaN when it is not a plain decimal number. Up to 15 significant
   * digits are exact; further digits are dropped, which moves the value by < 1e-14 relative — far below the
   * float32 precision the samples are stored in (checked bit-equal to Number() on all of HAPT and ECG5000).
   */
  number(): number {
    const { bytes } = this;
    const length = bytes.length;
    this.start = this.at;
    let i = this.at;
    let c = bytes[i];
    const negative = c === 45;
    if (c === 45 || c === 43) i++;
    let mantissa = 0;
    let digits = 0;
    let exponent = 0;
    let sawDigit = false;
    for (; i < length && (c = bytes[i]) >= 48 && c <= 57; i++) {
      sawDigit = true;
      if (digits < MAX_EXACT_DIGITS) {
        mantissa = mantissa * 10 + (c - 48);
        if (mantissa !== 0) digits++;
      } else exponent++;
    }
    if (i < length && bytes[i] === 46) {
      for (i++; i < length && (c = bytes[i]) >= 48 && c <= 57; i++) {
        sawDigit = true;
        if (digits < MAX_EXACT_DIGITS) {
          mantissa = mantissa * 10 + (c - 48);
          if (mantissa !== 0) digits++;
          exponent--;
        }
      }
    }
    if (sawDigit && i < length && (bytes[i] === 101 || bytes[i] === 69)) {
      i++;
      const negativeExponent = bytes[i] === 45;
      if (bytes[i] === 45 || bytes[i] === 43) i++;
      let value = 0;
      let exponentDigits = 0;
      for (; i < length && (c = bytes[i]) >= 48 && c <= 57; i++, exponentDigits++) value = value * 10 + (c - 48);
      if (exponentDigits === 0) sawDigit = false;
      exponent += negativeExponent ? -value : value;
    }
    this.at = i;
    // A token must end at whitespace or the end of the input.
    if (i < length && (c = bytes[i]) !== 32 && c !== 9 && c !== 13 && c !== 10) {
      while (this.at < length && (c = bytes[this.at]) !== 32 && c !== 9 && c !== 13 && c !== 10) this.at++;
      return NaN;
    }
    if (!sawDigit) return NaN;
    let value: number;
    if (exponent >= 0 && exponent <= 22) value = mantissa * POWERS_OF_TEN[exponent];
    else if (exponent < 0 && exponent >= -22) value = mantissa / POWERS_OF_TEN[-exponent];
    else return Number(this.token()); // rare (|exponent| > 22): let the engine round it exactly
    return negative ? -value : value;
  }

  /** Text of the last token read by number(). */
  token(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.start, this.at - this.start).toString('latin1');
  }
}
