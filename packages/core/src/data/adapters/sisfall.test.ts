import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, UserError } from '../../common/errors';
import type { AdapterOptions, Recording } from '../recording';
import { sisfallAdapter } from './sisfall';
import { collectRecordings, datasetRoot, fullArchiveAvailable } from '../../../testing/datasets';

const KNOWN_LINE = '  17,-179, -99, -18,-504,-352,  76,-697,-279;';
const ALL_CHANNELS = sisfallAdapter.channels.map((channel) => channel.name);

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sisfall-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Writes `files` (`SA01/F01_SA01_R01.txt` -> text) under a fresh root and returns it. */
function fixture(files: Record<string, string>): string {
  const root = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.join(root, path.dirname(name)), { recursive: true });
    writeFileSync(path.join(root, name), text, 'latin1');
  }
  return root;
}

/** A SisFall line from raw counts, formatted like the dataset (width 4, leading spaces). */
function line(values: readonly number[]): string {
  return `${values.map((value) => String(value).padStart(4)).join(',')};`;
}

const collect = (root: string, options?: AdapterOptions) => collectRecordings(sisfallAdapter, root, options);

async function formatError(root: string): Promise<DataFormatError> {
  const error = await collect(root).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

function accMagnitudes(recording: Recording): number[] {
  const x = recording.channels.indexOf('acc_x');
  const width = recording.channels.length;
  const magnitudes: number[] = [];
  for (let t = 0; t < recording.length; t++) {
    const base = t * width + x;
    magnitudes.push(Math.hypot(recording.data[base], recording.data[base + 1], recording.data[base + 2]));
  }
  return magnitudes;
}

describe('sisfallAdapter metadata', () => {
  it('describes 9 channels at 200 Hz with acc + gyro by default', () => {
    expect(sisfallAdapter.id).toBe('sisfall');
    expect(sisfallAdapter.nativeRateHz).toBe(200);
    expect(ALL_CHANNELS).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z', 'acc2_x', 'acc2_y', 'acc2_z']);
    expect(sisfallAdapter.channels.map((channel) => channel.unit)).toEqual(['g', 'g', 'g', 'deg/s', 'deg/s', 'deg/s', 'g', 'g', 'g']);
    // The README's ADC conversions, exposed so the firmware can be fed the sensors' own counts.
    expect(sisfallAdapter.channels.map((channel) => channel.perCount)).toEqual([
      ...new Array(3).fill(32 / 8192),
      ...new Array(3).fill(4000 / 65536),
      ...new Array(3).fill(16 / 16384),
    ]);
    expect(sisfallAdapter.defaultChannels).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
    expect(sisfallAdapter.labels).toEqual(['adl', 'fall']);
    expect(sisfallAdapter.splits).toEqual({});
  });
});

describe('sisfallAdapter parsing', () => {
  it('parses CRLF and LF files with leading spaces and negative numbers', async () => {
    const rows = [
      [17, -179, -99, -18, -504, -352, 76, -697, -279],
      [-1, 2, -3, 4, -5, 6, -7, 8, -9],
    ];
    const root = fixture({
      'SA01/D01_SA01_R01.txt': rows.map(line).join('\r\n') + '\r\n',
      'SA01/D02_SA01_R01.txt': rows.map(line).join('\n') + '\n',
      'SA01/D03_SA01_R01.txt': `${line(rows[0])}\r\n${line(rows[1]).slice(0, -1)}\r\n\r\n\r\n`, // no final ';'
    });
    const recordings = await collect(root, { channels: ALL_CHANNELS });
    expect(recordings.map((recording) => recording.length)).toEqual([2, 2, 2]);
    expect(recordings[1].data).toEqual(recordings[0].data);
    expect(recordings[2].data).toEqual(recordings[0].data);
  });

  it('converts counts to g and deg/s as the README says', async () => {
    const root = fixture({ 'SA01/D01_SA01_R01.txt': `${KNOWN_LINE}\r\n` });
    const [recording] = await collect(root, { channels: ALL_CHANNELS });
    const expected = [
      (17 * 32) / 8192,
      (-179 * 32) / 8192,
      (-99 * 32) / 8192,
      (-18 * 4000) / 65536,
      (-504 * 4000) / 65536,
      (-352 * 4000) / 65536,
      (76 * 16) / 16384,
      (-697 * 16) / 16384,
      (-279 * 16) / 16384,
    ];
    expect(Array.from(recording.data)).toEqual(expected.map(Math.fround));
    expect(recording.data[0]).toBe(0.06640625);
    expect(recording.data[4]).toBeCloseTo(-30.76171875, 5);
  });

  it('throws DataFormatError with file:line for a bad line', async () => {
    const root = fixture({ 'SA01/D01_SA01_R01.txt': `${KNOWN_LINE}\r\n${KNOWN_LINE}\r\n  17,-179, -99, oops;\r\n` });
    const error = await formatError(root);
    expect(error.file).toBe(path.join(root, 'SA01/D01_SA01_R01.txt'));
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      `${path.join(root, 'SA01/D01_SA01_R01.txt')}:3: expected 9 comma-separated integers followed by ';', got "  17,-179, -99, oops;"`,
    );
  });

  it('rejects lines with 8 or 10 values, non-numeric values and empty files', async () => {
    const eight = fixture({ 'SA01/D01_SA01_R01.txt': `${KNOWN_LINE}\r\n${line([1, 2, 3, 4, 5, 6, 7, 8])}\r\n` });
    expect((await formatError(eight)).line).toBe(2);
    const ten = fixture({ 'SA01/D01_SA01_R01.txt': `${line([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])}\n` });
    expect((await formatError(ten)).line).toBe(1);
    const letters = fixture({ 'SA01/D01_SA01_R01.txt': `${KNOWN_LINE}\n${KNOWN_LINE.replace('76', '7a')}\n` });
    expect((await formatError(letters)).line).toBe(2);
    const decimals = fixture({ 'SA01/D01_SA01_R01.txt': `${KNOWN_LINE.replace('17', '1.7')}\n` });
    expect((await formatError(decimals)).line).toBe(1);
    const empty = fixture({ 'SA01/D01_SA01_R01.txt': '\r\n' });
    expect((await formatError(empty)).message).toMatch(/no samples$/);
  });
});

describe('sisfallAdapter labels and events', () => {
  it('labels Fxx trials fall with an impact at the first peak of the ADXL345 magnitude', async () => {
    const rest = [0, 256, 0, 0, 0, 0, 0, 1024, 0]; // 1 g on y
    const rows = [rest, rest, [300, 0, 400, 0, 0, 0, 0, 0, 0], rest, [0, -500, 0, 0, 0, 0, 0, 0, 0], rest];
    // Rows 2 and 4 tie at 500 counts: the first wins. The second accelerometer's larger values are ignored.
    rows.push([0, 0, 0, 0, 0, 0, 8000, 8000, 8000]);
    const text = rows.map(line).join('\r\n') + '\r\n';
    const root = fixture({ 'SA01/F01_SA01_R01.txt': text, 'SA01/D01_SA01_R01.txt': text });
    const [adl, fall] = await collect(root);
    expect(fall.recordingLabel).toBe('fall');
    expect(fall.events).toEqual([{ at: 2, label: 'impact' }]);
    expect(adl.recordingLabel).toBe('adl');
    expect(adl.events).toBeUndefined();
  });
});

describe('sisfallAdapter selection and order', () => {
  const text = `${KNOWN_LINE}\r\n`;
  const files = [
    'SE01/D01_SE01_R01.txt',
    'SA02/F01_SA02_R01.txt',
    'SA01/F10_SA01_R01.txt',
    'SA01/D05_SA01_R02.txt',
    'SA01/D05_SA01_R01.txt',
    'SA01/F02_SA01_R01.txt',
    'SA02/D01_SA02_R01.txt',
    'SA10/D01_SA10_R01.txt',
  ];
  const root = fixture({
    ...Object.fromEntries(files.map((file) => [file, text])),
    'README.txt': 'not data',
    'SA01/desktop.ini': 'not data',
    'SA01/notes.txt': 'not data',
  });

  it('yields recordings sorted by name, subject = folder, skipping non-trial files', async () => {
    const recordings = await collect(root);
    expect(recordings.map((recording) => recording.name)).toEqual([
      'SA01/D05_SA01_R01',
      'SA01/D05_SA01_R02',
      'SA01/F02_SA01_R01',
      'SA01/F10_SA01_R01',
      'SA02/D01_SA02_R01',
      'SA02/F01_SA02_R01',
      'SA10/D01_SA10_R01',
      'SE01/D01_SE01_R01',
    ]);
    expect(recordings.map((recording) => recording.subject)).toEqual(['SA01', 'SA01', 'SA01', 'SA01', 'SA02', 'SA02', 'SA10', 'SE01']);
    for (const recording of recordings) {
      expect(recording.rateHz).toBe(200);
      expect(recording.channels).toEqual(sisfallAdapter.defaultChannels);
      expect(recording.data.length).toBe(recording.length * 6);
    }
  });

  it('filters subjects and rejects unknown ones', async () => {
    const recordings = await collect(root, { subjects: ['SE01', 'SA02'] });
    expect(recordings.map((recording) => recording.name)).toEqual(['SA02/D01_SA02_R01', 'SA02/F01_SA02_R01', 'SE01/D01_SE01_R01']);
    await expect(collect(root, { subjects: ['SA03'] })).rejects.toThrow(/subject\(s\) SA03 not found/);
  });

  it('returns the requested channels in the requested order', async () => {
    const [recording] = await collect(root, { channels: ['gyro_y', 'acc_x', 'acc2_z'] });
    expect(recording.channels).toEqual(['gyro_y', 'acc_x', 'acc2_z']);
    expect(Array.from(recording.data)).toEqual([(-504 * 4000) / 65536, (17 * 32) / 8192, (-279 * 16) / 16384].map(Math.fround));
  });

  it('rejects unknown, repeated or no channels with a UserError listing the known ones', async () => {
    const unknown = await collect(root, { channels: ['acc_x', 'mag_x'] }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(UserError);
    expect((unknown as Error).message).toBe('sisfall: unknown channel(s) mag_x; known: acc_x, acc_y, acc_z, gyro_x, gyro_y, gyro_z, acc2_x, acc2_y, acc2_z');
    await expect(collect(root, { channels: ['acc_x', 'acc_x'] })).rejects.toThrow(/requested twice: acc_x/);
    await expect(collect(root, { channels: [] })).rejects.toThrow(UserError);
  });

  it('explains a root without subject folders', async () => {
    const wrongRoot = fixture({ 'sisfall/SA01/D01_SA01_R01.txt': text }); // the folder above the dataset root
    await expect(collect(wrongRoot)).rejects.toThrow(/no subject folders .* \(did you mean .*sisfall\?\)/);
    await expect(collect(path.join(wrongRoot, 'missing'))).rejects.toThrow(/cannot read the dataset folder/);
  });
});

describe('sisfallAdapter on the committed sample archive', () => {
  it('reads 4 subjects, 45 falls and 59 ADL trials at 200 Hz with one impact per fall and ~1 g at rest', async () => {
    const recordings = await collect(await datasetRoot('sisfall', 'sample'));
    expect([...new Set(recordings.map((recording) => recording.subject))]).toEqual(['SA01', 'SA02', 'SE01', 'SE06']);
    const falls = recordings.filter((recording) => recording.recordingLabel === 'fall');
    const adl = recordings.filter((recording) => recording.recordingLabel === 'adl');
    expect(falls.length).toBe(45);
    expect(adl.length).toBe(59);
    expect(falls.some((recording) => recording.subject === 'SE01')).toBe(false);

    for (const recording of recordings) {
      expect(recording.rateHz).toBe(200);
      expect(recording.channels.length).toBe(6);
      expect(recording.data.length).toBe(recording.length * 6);
    }
    for (const fall of falls) {
      expect(fall.events).toHaveLength(1);
      const [impact] = fall.events ?? [];
      expect(impact.label).toBe('impact');
      expect(impact.at).toBeGreaterThanOrEqual(0);
      expect(impact.at).toBeLessThan(fall.length);
      expect(accMagnitudes(fall)[impact.at]).toBeGreaterThan(1.5); // a fall's peak is well above 1 g
    }
    for (const trial of adl) {
      const sorted = accMagnitudes(trial).sort((a, b) => a - b);
      const median = sorted[sorted.length >> 1];
      expect(median, trial.name).toBeGreaterThan(0.8);
      expect(median, trial.name).toBeLessThan(1.2);
    }
  });
});

describe('sisfallAdapter on the full archive (NX_TINYML_DATASET_MIRROR)', () => {
  it.skipIf(!fullArchiveAvailable('sisfall'))(
    'reads 2381 recordings of 18 subjects, 1050 falls, 8,285,772 samples',
    async () => {
      const subjects = new Set<string>();
      let recordings = 0;
      let falls = 0;
      let samples = 0;
      for await (const recording of sisfallAdapter.recordings(await datasetRoot('sisfall', 'full'))) {
        recordings++;
        subjects.add(recording.subject);
        if (recording.recordingLabel === 'fall') falls++;
        samples += recording.length;
      }
      expect(recordings).toBe(2381);
      expect(subjects.size).toBe(18);
      expect(falls).toBe(1050);
      expect(samples).toBe(8_285_772);
    },
    300_000,
  );
});
