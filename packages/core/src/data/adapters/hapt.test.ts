import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../common/errors';
import type { AdapterOptions, Recording } from '../recording';
import { HAPT_ACTIVITIES, HAPT_TEST_USERS, haptAdapter, parseHaptLabels, parseXyzRows } from './hapt';
import { collectRecordings, fullArchiveAvailable, useDatasetRoot } from '../../../testing/datasets';

const collect = (root: string, options?: AdapterOptions) => collectRecordings(haptAdapter, root, options);

describe('parseHaptLabels', () => {
  it('turns 1-based inclusive [start, end] into 0-based half-open [start - 1, end)', () => {
    const segments = parseHaptLabels(Buffer.from('1 1 5 250 1232\n1 1 7 1233 1392\n3 2 1 1 1\n\n'), 'labels.txt');
    expect(segments.get('exp01/user01')).toEqual([
      { start: 249, end: 1232, label: 'standing', line: 1 },
      { start: 1232, end: 1392, label: 'stand_to_sit', line: 2 },
    ]);
    // A one-sample segment at the first sample.
    expect(segments.get('exp03/user02')).toEqual([{ start: 0, end: 1, label: 'walking', line: 3 }]);
  });

  it('names file:line of malformed rows', () => {
    expect(() => parseHaptLabels(Buffer.from('1 1 5 250 1232\n1 1 5 250\n'), 'labels.txt')).toThrow(/^labels\.txt:2: expected 5 integers/);
    expect(() => parseHaptLabels(Buffer.from('1 1 13 250 1232\n'), 'labels.txt')).toThrow(/^labels\.txt:1: activity 13 is not 1–12/);
    expect(() => parseHaptLabels(Buffer.from('1 1 5 250 249\n'), 'labels.txt')).toThrow(/^labels\.txt:1: bad sample range 250–249/);
    expect(() => parseHaptLabels(Buffer.from('1 1 5 0 10\n'), 'labels.txt')).toThrow(DataFormatError);
  });
});

describe('parseXyzRows', () => {
  it('reads three values per line', () => {
    const rows = parseXyzRows(Buffer.from('0.5 -1 2e-3\n1 2 3\n'), 'acc.txt');
    expect(rows.rows).toBe(2);
    expect([...rows.values]).toEqual([0.5, -1, Math.fround(0.002), 1, 2, 3]);
  });

  it('names file:line of a short row or a bad number', () => {
    expect(() => parseXyzRows(Buffer.from('1 2 3\n1 2\n'), 'acc.txt')).toThrow(new DataFormatError('acc.txt', 2, 'expected 3 values (x y z), found 2'));
    expect(() => parseXyzRows(Buffer.from('1 2 3\n1 2 3\n1 - 3\n'), 'acc.txt')).toThrow(/^acc\.txt:3: "-" is not a number/);
  });
});

describe('haptAdapter on small fixtures', () => {
  let root: string;
  const write = (name: string, text: string) => writeFileSync(path.join(root, 'RawData', name), text);
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'hapt-fixture-'));
    mkdirSync(path.join(root, 'RawData'));
    write('labels.txt', '1 1 5 2 3\n1 1 1 4 4\n9 30 1 1 2\n');
    write('acc_exp01_user01.txt', '1 2 3\n4 5 6\n7 8 9\n10 11 12\n');
    write('gyro_exp01_user01.txt', '-1 -2 -3\n-4 -5 -6\n-7 -8 -9\n-10 -11 -12\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('interleaves the requested channels and converts the segments', async () => {
    const [recording] = await collect(root, { channels: ['gyro_z', 'acc_x'] });
    expect(recording).toMatchObject({ name: 'user01/exp01', subject: 'user01', rateHz: 50, length: 4, channels: ['gyro_z', 'acc_x'] });
    expect([...recording.data]).toEqual([-3, 1, -6, 4, -9, 7, -12, 10]);
    // Rows 2–3 and 4–4 (1-based, inclusive); the user-30 row has no files and is ignored.
    expect(recording.segments).toEqual([
      { start: 1, end: 3, label: 'standing' },
      { start: 3, end: 4, label: 'walking' },
    ]);
  });

  it('refuses acc/gyro files of different lengths, naming both', async () => {
    write('acc_exp02_user01.txt', '1 2 3\n4 5 6\n');
    write('gyro_exp02_user01.txt', '1 2 3\n');
    try {
      await expect(collect(root)).rejects.toThrow(/acc_exp02_user01\.txt: 2 rows, but .*gyro_exp02_user01\.txt has 1; they must match/);
    } finally {
      rmSync(path.join(root, 'RawData', 'acc_exp02_user01.txt'));
      rmSync(path.join(root, 'RawData', 'gyro_exp02_user01.txt'));
    }
  });

  it('refuses a segment that ends after the recording', async () => {
    write('labels.txt', '1 1 5 2 5\n');
    await expect(collect(root)).rejects.toThrow(/labels\.txt:1: segment ends at sample 5, beyond the 4 rows/);
    write('labels.txt', '1 1 5 2 3\n1 1 1 4 4\n9 30 1 1 2\n');
  });

  it('refuses unknown channels', async () => {
    await expect(collect(root, { channels: ['mag_x'] })).rejects.toThrow(/hapt_uci has no channel "mag_x"/);
  });
});

describe('haptAdapter on the committed sample (users 01–03)', () => {
  const root = useDatasetRoot('hapt_uci', 'sample');
  let recordings: Recording[];
  beforeAll(async () => {
    recordings = await collect(root());
  });

  it('has labels equal to activity_labels.txt, lower-cased, in id order', () => {
    const lines = readFileSync(path.join(root(), 'activity_labels.txt'), 'latin1')
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.map((l) => l.trim().split(/\s+/))).toEqual(HAPT_ACTIVITIES.map((name, i) => [String(i + 1), name.toUpperCase()]));
    expect(haptAdapter.labels).toEqual(HAPT_ACTIVITIES);
  });

  it('yields one recording per experiment, six channels, as long as its files', () => {
    expect(recordings.map((r) => r.name)).toEqual(['user01/exp01', 'user01/exp02', 'user02/exp03', 'user02/exp04', 'user03/exp05', 'user03/exp06']);
    for (const recording of recordings) {
      const [exp, user] = [recording.name.slice(7), recording.subject];
      const lines = readFileSync(path.join(root(), 'RawData', `acc_${exp}_${user}.txt`), 'latin1')
        .trim()
        .split('\n');
      expect(recording.length).toBe(lines.length);
      expect(recording.channels).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
      expect(recording.data).toHaveLength(lines.length * 6);
    }
  });

  it('stores every value as float32 of what Number() parses', () => {
    const [first] = recordings;
    const expected = (kind: string) =>
      readFileSync(path.join(root(), 'RawData', `${kind}_exp01_user01.txt`), 'latin1')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(' ').map(Number));
    const acc = expected('acc');
    const gyro = expected('gyro');
    const interleaved = Float32Array.from(acc.flatMap((row, t) => [...row, ...gyro[t]]));
    expect(first.data).toEqual(interleaved);
    // First row of acc_exp01_user01.txt.
    expect(first.data[0]).toBe(Math.fround(0.9180555898766518));
  });

  it('takes segments from labels.txt for exactly these experiments', () => {
    const rows = readFileSync(path.join(root(), 'RawData', 'labels.txt'), 'latin1')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    const own = rows.filter(([, user]) => user <= 3);
    expect(recordings.reduce((n, r) => n + (r.segments?.length ?? 0), 0)).toBe(own.length);
    // labels.txt line 1: "1 1 5 250 1232" → standing over samples [249, 1232).
    expect(recordings[0].segments?.[0]).toEqual({ start: 249, end: 1232, label: 'standing' });
  });

  it('splits users the UCI HAR way and ignores absent users', async () => {
    const { train, test } = haptAdapter.splits.uci;
    expect(test).toEqual(HAPT_TEST_USERS);
    expect(train).toEqual([
      'user01',
      'user03',
      'user05',
      'user06',
      'user07',
      'user08',
      'user11',
      'user14',
      'user15',
      'user16',
      'user17',
      'user19',
      'user21',
      'user22',
    ]);
    expect((await collect(root(), { subjects: test, channels: ['acc_z'] })).map((r) => r.name)).toEqual(['user02/exp03', 'user02/exp04']);
  });
});

describe.skipIf(!fullArchiveAvailable('hapt_uci'))('haptAdapter on the full archive (NX_TINYML_DATASET_MIRROR)', () => {
  const root = useDatasetRoot('hapt_uci', 'full');

  it('yields 45 experiments of users 01–22 with 894 segments (README counts per activity)', async () => {
    const recordings = await collect(root());
    expect(recordings).toHaveLength(45);
    const perActivity = new Array<number>(12).fill(0);
    for (const segment of recordings.flatMap((r) => r.segments ?? []))
      perActivity[HAPT_ACTIVITIES.indexOf(segment.label as (typeof HAPT_ACTIVITIES)[number])]++;
    expect(perActivity).toEqual([94, 134, 136, 88, 88, 88, 44, 46, 44, 46, 44, 42]);
    expect(perActivity.reduce((a, b) => a + b)).toBe(894);
  }, 30_000);
});
