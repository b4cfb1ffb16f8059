import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DataFormatError, UserError } from '../../common/errors';
import type { AdapterOptions, ChannelInfo, DatasetAdapter, LabelledEvent, Recording } from '../recording';
import { parseIntegerRows } from '../text-numbers';

/**
 * SisFall (Sucerquia et al. 2017): one text file per trial, `<SUBJ>/<CODE>_<SUBJ>_R<nn>.txt`, 200 Hz, 9 raw
 * integer columns per line. Fxx codes are falls, Dxx activities of daily living; the whole file carries the label
 * and the dataset has no onset annotation, so fall trials get one `impact` event at the acceleration peak.
 */

/** File columns in order, with the count-to-unit factor from the dataset README. */
const COLUMNS: readonly (ChannelInfo & { perCount: number })[] = [
  // ADXL345, 13 bit over +-16 g
  { name: 'acc_x', unit: 'g', perCount: 32 / 8192 },
  { name: 'acc_y', unit: 'g', perCount: 32 / 8192 },
  { name: 'acc_z', unit: 'g', perCount: 32 / 8192 },
  // ITG3200, 16 bit over +-2000 deg/s
  { name: 'gyro_x', unit: 'deg/s', perCount: 4000 / 65536 },
  { name: 'gyro_y', unit: 'deg/s', perCount: 4000 / 65536 },
  { name: 'gyro_z', unit: 'deg/s', perCount: 4000 / 65536 },
  // MMA8451Q, 14 bit over +-8 g
  { name: 'acc2_x', unit: 'g', perCount: 16 / 16384 },
  { name: 'acc2_y', unit: 'g', perCount: 16 / 16384 },
  { name: 'acc2_z', unit: 'g', perCount: 16 / 16384 },
];
/** Columns of the ADXL345, whose magnitude peak marks a fall's impact. */
const IMPACT_COLUMNS = [0, 1, 2] as const;
const SUBJECT_FOLDER = /^S[AE]\d{2}$/;
const TRIAL_FILE = /^([DF])\d{2}_.+\.txt$/;

export const sisfallAdapter: DatasetAdapter = {
  id: 'sisfall',
  nativeRateHz: 200,
  channels: COLUMNS.map(({ name, unit, perCount }) => ({ name, unit, perCount })),
  defaultChannels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'],
  labels: ['adl', 'fall'],
  splits: {},
  recordings: sisfallRecordings,
};

async function* sisfallRecordings(root: string, options: AdapterOptions = {}): AsyncGenerator<Recording> {
  const channels = options.channels ?? sisfallAdapter.defaultChannels;
  const columns = selectColumns(channels);
  const subjects = selectSubjects(await listSubjects(root), options.subjects, root);

  for (const subject of subjects) {
    for (const trial of await listTrials(path.join(root, subject))) {
      const file = path.join(root, subject, trial.fileName);
      // One file at a time: the generator is only resumed when the consumer wants the next recording.
      const bytes = await fs.readFile(file);
      yield toRecording(bytes, file, subject, trial, channels, columns);
    }
  }
}

interface Trial {
  fileName: string;
  /** File name without `.txt`, the second half of `Recording.name`. */
  stem: string;
  isFall: boolean;
}

function toRecording(bytes: Uint8Array, file: string, subject: string, trial: Trial, channels: readonly string[], columns: readonly number[]): Recording {
  const raw = parseIntegerRows(bytes, COLUMNS.length, file);
  if (raw.rows === 0) throw new DataFormatError(file, undefined, 'no samples');
  const recording: Recording = {
    subject,
    name: `${subject}/${trial.stem}`,
    rateHz: sisfallAdapter.nativeRateHz,
    channels: [...channels],
    length: raw.rows,
    data: toPhysicalUnits(raw.values, raw.rows, columns),
    recordingLabel: trial.isFall ? 'fall' : 'adl',
  };
  if (trial.isFall) recording.events = [impactEvent(raw.values, raw.rows)];
  return recording;
}

function toPhysicalUnits(values: Int32Array, rows: number, columns: readonly number[]): Float32Array {
  const width = COLUMNS.length;
  const out = new Float32Array(rows * columns.length);
  let o = 0;
  for (let row = 0, base = 0; row < rows; row++, base += width) {
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c];
      out[o++] = values[base + column] * COLUMNS[column].perCount;
    }
  }
  return out;
}

/**
 * The impact is the first sample with the largest ADXL345 magnitude. It is found on the raw counts: the
 * count-to-g factor is the same on the three axes, so the argmax is the same, and integer sums make ties exact.
 */
function impactEvent(values: Int32Array, rows: number): LabelledEvent {
  const width = COLUMNS.length;
  const [x, y, z] = IMPACT_COLUMNS;
  let peak = -1;
  let at = 0;
  for (let row = 0, base = 0; row < rows; row++, base += width) {
    const magnitudeSquared = values[base + x] ** 2 + values[base + y] ** 2 + values[base + z] ** 2;
    if (magnitudeSquared > peak) {
      peak = magnitudeSquared;
      at = row;
    }
  }
  return { at, label: 'impact' };
}

function selectColumns(channels: readonly string[]): number[] {
  const known = COLUMNS.map((column) => column.name);
  if (channels.length === 0) throw new UserError(`sisfall: no channels requested; known: ${known.join(', ')}`);
  const unknown = channels.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UserError(`sisfall: unknown channel(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  const repeated = channels.filter((name, i) => channels.indexOf(name) !== i);
  if (repeated.length > 0) throw new UserError(`sisfall: channel(s) requested twice: ${repeated.join(', ')}`);
  return channels.map((name) => known.indexOf(name));
}

function selectSubjects(available: readonly string[], wanted: readonly string[] | undefined, root: string): string[] {
  if (wanted === undefined) return [...available];
  // Asking for a subject that is not there is almost always a typo or the wrong root: fail instead of
  // silently yielding fewer recordings.
  const missing = wanted.filter((subject) => !available.includes(subject));
  if (missing.length > 0) {
    throw new UserError(`sisfall: subject(s) ${missing.join(', ')} not found under ${root}; available: ${available.join(', ')}`);
  }
  return available.filter((subject) => wanted.includes(subject));
}

async function listSubjects(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch((error: Error) => {
    throw new UserError(`sisfall: cannot read the dataset folder ${root}: ${error.message}`);
  });
  const subjects = entries
    .filter((entry) => entry.isDirectory() && SUBJECT_FOLDER.test(entry.name))
    .map((entry) => entry.name)
    .sort(byCodeUnits);
  if (subjects.length === 0) {
    const hint = entries.some((entry) => entry.isDirectory() && entry.name === 'sisfall') ? ` (did you mean ${path.join(root, 'sisfall')}?)` : '';
    throw new DataFormatError(root, undefined, `no subject folders (SA01, SE01, ...) found${hint}`);
  }
  return subjects;
}

async function listTrials(folder: string): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (const fileName of await fs.readdir(folder)) {
    const match = TRIAL_FILE.exec(fileName);
    if (match === null) continue; // README files, desktop.ini, images.rar in some copies
    trials.push({ fileName, stem: fileName.slice(0, -'.txt'.length), isFall: match[1] === 'F' });
  }
  return trials.sort((a, b) => byCodeUnits(a.stem, b.stem));
}

/** Plain string order (not locale order), so the recording order is the same on every machine. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
