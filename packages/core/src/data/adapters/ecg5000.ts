/**
 * UCR ECG5000: single heartbeats from BIDMC CHF record chf07, each already cut out, resampled to 140 samples and
 * z-normalised by the UCR archive. One Recording per beat (row).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DataFormatError, UserError } from '../../common/errors';
import { lineCount, scanRows } from '../number-scanner';
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
  const lines = lineCount(bytes);
  const classValues = new Float64Array(lines);
  const samples = new Float32Array(lines * length);
  const lineOfRow = new Uint32Array(lines);
  const row = new Float64Array(length + 1);
  let rows = 0;
  scanRows(bytes, file, row, (count, line) => {
    if (count !== length + 1) throw new DataFormatError(file, line, `expected ${length + 1} values (class + ${length} samples), found ${count}`);
    classValues[rows] = row[0];
    samples.set(row.subarray(1), rows * length);
    lineOfRow[rows] = line;
    rows++;
  });
  return { rows, classValues: classValues.slice(0, rows), samples: samples.slice(0, rows * length), lineOfRow: lineOfRow.slice(0, rows) };
}
