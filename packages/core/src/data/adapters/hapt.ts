/**
 * UCI HAPT raw inertial data: a waist-worn phone's accelerometer and gyroscope at 50 Hz, one experiment per file
 * pair, with labelled activity and postural-transition stretches. One Recording per experiment.
 */
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DataFormatError, UserError } from '../../common/errors';
import { readDatasetFile } from '../read-dataset-file';
import type { AdapterOptions, DatasetAdapter, LabelledSegment, Recording } from '../recording';
// The byte-level number reader is shared with the ECG5000 adapter.
import { lineCount, scanRows } from '../number-scanner';

/** activity_labels.txt, ids 1–12 in order, lower-cased. */
export const HAPT_ACTIVITIES = [
  'walking',
  'walking_upstairs',
  'walking_downstairs',
  'sitting',
  'standing',
  'laying',
  'stand_to_sit',
  'sit_to_stand',
  'sit_to_lie',
  'lie_to_sit',
  'stand_to_lie',
  'lie_to_stand',
] as const;

export const HAPT_CHANNELS = [
  { name: 'acc_x', unit: 'g' },
  { name: 'acc_y', unit: 'g' },
  { name: 'acc_z', unit: 'g' },
  { name: 'gyro_x', unit: 'rad/s' },
  { name: 'gyro_y', unit: 'rad/s' },
  { name: 'gyro_z', unit: 'rad/s' },
] as const;
const CHANNEL_NAMES: readonly string[] = HAPT_CHANNELS.map((c) => c.name);

/** The UCI HAR test volunteers (2 4 9 10 12 13 18 20 24), restricted to the users 01–22 the archive holds. */
export const HAPT_TEST_USERS = ['user02', 'user04', 'user09', 'user10', 'user12', 'user13', 'user18', 'user20'] as const;
export const HAPT_USERS = Array.from({ length: 22 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`);
const RATE_HZ = 50;
const RAW_DIR = 'RawData';
const LABELS_FILE = 'labels.txt';

export const haptAdapter: DatasetAdapter = {
  id: 'hapt_uci',
  nativeRateHz: RATE_HZ,
  channels: HAPT_CHANNELS,
  defaultChannels: CHANNEL_NAMES,
  labels: HAPT_ACTIVITIES,
  splits: {
    uci: { train: HAPT_USERS.filter((u) => !(HAPT_TEST_USERS as readonly string[]).includes(u)), test: HAPT_TEST_USERS },
  },
  recordings: haptRecordings,
};

interface Experiment {
  /** `exp01` */
  exp: string;
  /** `user01` */
  user: string;
  accFile: string;
  gyroFile: string;
}

/**
 * Yields `userYY/expXX` in name order, for the experiments whose files are in RawData (users named in
 * `subjects` but absent from the folder yield nothing: the committed sample holds three users).
 */
async function* haptRecordings(root: string, options: AdapterOptions = {}): AsyncGenerator<Recording> {
  const channels = requestedChannels(options.channels);
  const rawDir = path.join(root, RAW_DIR);
  const experiments = (await listExperiments(rawDir)).filter((e) => options.subjects === undefined || options.subjects.includes(e.user));
  if (experiments.length === 0) return;
  const labelsFile = path.join(rawDir, LABELS_FILE);
  const segments = parseHaptLabels(await readDatasetFile(labelsFile), labelsFile);
  for (const experiment of experiments) {
    const acc = parseXyzRows(await readDatasetFile(experiment.accFile), experiment.accFile);
    const gyro = parseXyzRows(await readDatasetFile(experiment.gyroFile), experiment.gyroFile);
    // Every acc/gyro pair of the archive has the same row count (checked on all 45), so a mismatch means damage.
    if (acc.rows !== gyro.rows) {
      throw new DataFormatError(experiment.accFile, undefined, `${acc.rows} rows, but ${experiment.gyroFile} has ${gyro.rows}; they must match`);
    }
    const length = acc.rows;
    const data = new Float32Array(length * channels.length);
    channels.forEach((channel, c) => {
      const source = channel < 3 ? acc.values : gyro.values;
      const axis = channel % 3;
      for (let t = 0, at = c; t < length; t++, at += channels.length) data[at] = source[t * 3 + axis];
    });
    const own = segments.get(`${experiment.exp}/${experiment.user}`) ?? [];
    for (const segment of own) {
      if (segment.end > length) {
        throw new DataFormatError(labelsFile, segment.line, `segment ends at sample ${segment.end}, beyond the ${length} rows of ${experiment.accFile}`);
      }
    }
    yield {
      subject: experiment.user,
      name: `${experiment.user}/${experiment.exp}`,
      rateHz: RATE_HZ,
      channels: channels.map((c) => CHANNEL_NAMES[c]),
      length,
      data,
      segments: own.map(({ start, end, label }) => ({ start, end, label })),
    };
  }
}

function requestedChannels(channels: readonly string[] | undefined): number[] {
  const names = channels ?? haptAdapter.defaultChannels;
  if (names.length === 0) throw new UserError('hapt_uci: no channels requested');
  return names.map((name) => {
    const index = CHANNEL_NAMES.indexOf(name);
    if (index < 0) throw new UserError(`hapt_uci has no channel "${name}"; channels: ${CHANNEL_NAMES.join(', ')}`);
    return index;
  });
}

const ACC_FILE = /^acc_(exp\d+)_(user\d+)\.txt$/;

/** Experiments with an acc file, sorted by recording name; the matching gyro file must exist. */
async function listExperiments(rawDir: string): Promise<Experiment[]> {
  let entries: string[];
  try {
    entries = await readdir(rawDir);
  } catch {
    throw new UserError(`hapt_uci: cannot read ${rawDir} (is this the extracted hapt_uci archive?)`);
  }
  const present = new Set(entries);
  const experiments: Experiment[] = [];
  for (const name of entries) {
    const match = ACC_FILE.exec(name);
    if (!match) continue;
    const [, exp, user] = match;
    const gyroName = `gyro_${exp}_${user}.txt`;
    if (!present.has(gyroName)) throw new UserError(`${path.join(rawDir, name)}: its gyroscope file ${gyroName} is missing`);
    experiments.push({ exp, user, accFile: path.join(rawDir, name), gyroFile: path.join(rawDir, gyroName) });
  }
  const key = (e: Experiment) => `${e.user}/${e.exp}`;
  return experiments.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export interface HaptSegment extends LabelledSegment {
  /** Line of labels.txt it came from. */
  line: number;
}

/**
 * Parses RawData/labels.txt: `exp user activity start end` per line, with 1-based inclusive sample indices.
 * Returns segments keyed by `expXX/userYY`, converted to 0-based half-open `[start − 1, end)`.
 */
export function parseHaptLabels(bytes: Uint8Array, file: string): Map<string, HaptSegment[]> {
  const byExperiment = new Map<string, HaptSegment[]>();
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1').split('\n');
  lines.forEach((text, index) => {
    const line = index + 1;
    const fields = text.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return;
    if (fields.length !== 5 || fields.some((f) => !/^\d+$/.test(f))) {
      throw new DataFormatError(file, line, `expected 5 integers (experiment user activity start end), found "${text.trim()}"`);
    }
    const [exp, user, activity, first, last] = fields.map(Number);
    if (activity < 1 || activity > HAPT_ACTIVITIES.length) throw new DataFormatError(file, line, `activity ${activity} is not 1–${HAPT_ACTIVITIES.length}`);
    if (first < 1 || last < first) throw new DataFormatError(file, line, `bad sample range ${first}–${last}`);
    const key = `exp${String(exp).padStart(2, '0')}/user${String(user).padStart(2, '0')}`;
    const list = byExperiment.get(key) ?? [];
    list.push({ start: first - 1, end: last, label: HAPT_ACTIVITIES[activity - 1], line });
    byExperiment.set(key, list);
  });
  return byExperiment;
}

interface XyzRows {
  rows: number;
  /** x y z per row. */
  values: Float32Array;
}

/** Parses a RawData file: three space-separated numbers per line; anything else is a DataFormatError file:line. */
export function parseXyzRows(bytes: Uint8Array, file: string): XyzRows {
  const values = new Float32Array(lineCount(bytes) * 3);
  const row = new Float64Array(3);
  let rows = 0;
  scanRows(bytes, file, row, (count, line) => {
    if (count !== 3) throw new DataFormatError(file, line, `expected 3 values (x y z), found ${count}`);
    values[rows * 3] = row[0];
    values[rows * 3 + 1] = row[1];
    values[rows * 3 + 2] = row[2];
    rows++;
  });
  return { rows, values: values.subarray(0, rows * 3) };
}
