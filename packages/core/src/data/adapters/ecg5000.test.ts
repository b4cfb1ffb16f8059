import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../common/errors';
import type { AdapterOptions } from '../recording';
import { NumberScanner } from '../number-scanner';
import { ECG5000_TEST_FILE, ECG5000_TRAIN_FILE, ecg5000Adapter, parseUcrTable } from './ecg5000';
import { collectRecordings, fullArchiveAvailable, useDatasetRoot } from '../../../testing/datasets';

const collect = (root: string, options?: AdapterOptions) => collectRecordings(ecg5000Adapter, root, options);

function count<T>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Every whitespace-separated token of a text file, parsed by the scanner and by Number(), as float32. */
function expectScannerMatchesNumber(bytes: Buffer): void {
  const tokens = bytes.toString('latin1').split(/\s+/).filter(Boolean);
  const scanned = new Float32Array(tokens.length);
  const scanner = new NumberScanner(bytes);
  for (let i = 0; i < tokens.length; i++) {
    while (scanner.skipSpaces() === 10) scanner.at++;
    scanned[i] = scanner.number();
  }
  expect(scanned).toEqual(Float32Array.from(tokens, Number));
}

describe('NumberScanner', () => {
  it('parses what Number() parses, to the same double for up to 15 significant digits', () => {
    const tokens = [
      '1.0000000e+00',
      '-1.1252183e-01',
      '+3.5',
      '.5',
      '5.',
      '-0',
      '0.000012345',
      '1e22',
      '1e-22',
      '123456789012345',
      '6.02214076e23',
      '1e400',
      '-2.5E-5',
      '0.9180555898766518',
    ];
    const scanner = new NumberScanner(Buffer.from(tokens.join(' ')));
    for (const token of tokens) {
      scanner.skipSpaces();
      const value = scanner.number();
      if (token === '0.9180555898766518') expect(Math.fround(value)).toBe(Math.fround(Number(token)));
      else expect(value, token).toBe(Number(token));
    }
  });

  it('gives NaN for tokens that are not plain decimals, and moves past them', () => {
    for (const token of ['abc', '1.2.3', '-', '.', '1e', '1e+', 'nan', '0x10', '12,5']) {
      const scanner = new NumberScanner(Buffer.from(`${token} 7`));
      expect(scanner.number(), token).toBeNaN();
      expect(scanner.token()).toBe(token);
      scanner.skipSpaces();
      expect(scanner.number()).toBe(7);
    }
  });
});

describe('parseUcrTable', () => {
  it('reads class + samples per row, skipping blank lines and CRs', () => {
    const table = parseUcrTable(Buffer.from('  1.0e+00  2.5e-01 -3.0e+00\r\n\n 2 4 5\n'), 'x.txt', 2);
    expect(table.rows).toBe(2);
    expect([...table.classValues]).toEqual([1, 2]);
    expect([...table.samples]).toEqual([0.25, -3, 4, 5]);
    expect([...table.lineOfRow]).toEqual([1, 3]);
  });

  it('names file:line of a row with the wrong number of values or a bad token', () => {
    expect(() => parseUcrTable(Buffer.from('1 2 3\n1 2\n'), 'x.txt', 2)).toThrow(
      new DataFormatError('x.txt', 2, 'expected 3 values (class + 2 samples), found 2'),
    );
    expect(() => parseUcrTable(Buffer.from('1 2 3\n\n1 2 3 4'), 'x.txt', 2)).toThrow(/^x\.txt:3: expected 3 values/);
    expect(() => parseUcrTable(Buffer.from('1 2 3\n1 2 x3\n'), 'x.txt', 2)).toThrow(/^x\.txt:2: "x3" is not a number/);
  });

  it('refuses values that overflow to infinity (1e999) or spell it (inf), naming file:line', () => {
    expect(() => parseUcrTable(Buffer.from('1 2 3\n1 1e999 3\n'), 'x.txt', 2)).toThrow(/^x\.txt:2: "1e999" is not a finite number/);
    expect(() => parseUcrTable(Buffer.from('1 2 -1e400\n'), 'x.txt', 2)).toThrow(/^x\.txt:1: "-1e400" is not a finite number/);
    expect(() => parseUcrTable(Buffer.from('1 2 3\n1 inf 3\n'), 'x.txt', 2)).toThrow(/^x\.txt:2: "inf" is not a number/);
  });
});

describe('ecg5000Adapter on small fixtures', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'ecg5000-fixture-'));
    const row = (label: number) => [label, ...Array.from({ length: 140 }, (_, i) => i / 10)].map((v) => v.toExponential(7).padStart(16)).join('');
    writeFileSync(path.join(root, ECG5000_TRAIN_FILE), [1, 3, 5].map(row).join('\n') + '\n');
    mkdirSync(path.join(root, path.dirname(ECG5000_TEST_FILE)));
    writeFileSync(path.join(root, ECG5000_TEST_FILE), [0, 1].map(row).join('\n') + '\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('yields test rows (binary labels) then train rows (5 classes collapsed), in name order', async () => {
    const recordings = await collect(root);
    expect(recordings.map((r) => [r.name, r.subject, r.recordingLabel])).toEqual([
      ['test/0001', 'test', 'abnormal'],
      ['test/0002', 'test', 'normal'],
      ['train/0001', 'train', 'normal'],
      ['train/0002', 'train', 'abnormal'],
      ['train/0003', 'train', 'abnormal'],
    ]);
    expect(recordings[0]).toMatchObject({ rateHz: 140, length: 140, channels: ['ecg'] });
    expect(recordings[0].data[139]).toBeCloseTo(13.9, 5);
    expect((await collect(root, { subjects: ['train'] })).map((r) => r.name)).toEqual(['train/0001', 'train/0002', 'train/0003']);
  });

  it("rejects classes outside each file's set, naming file:line", async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'ecg5000-bad-'));
    try {
      writeFileSync(path.join(bad, ECG5000_TRAIN_FILE), `${'1 '.repeat(141)}\n${'0 '.repeat(141)}\n`);
      await expect(collect(bad)).rejects.toThrow(`${path.join(bad, ECG5000_TRAIN_FILE)}:2: class 0 is not one of 1 to 5`);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('refuses other channels and a missing train file', async () => {
    await expect(collect(root, { channels: ['ii'] })).rejects.toThrow(/ecg5000 has one channel, "ecg"/);
    await expect(collect(path.join(root, 'nowhere'))).rejects.toThrow(/ECG5000_TRAIN\.txt: file not found/);
  });
});

describe('ecg5000Adapter on the committed sample (train file only)', () => {
  const root = useDatasetRoot('ecg5000', 'sample');

  it('has 500 train beats: classes 292/177/10/19/2, i.e. normal 292 / abnormal 208', async () => {
    const file = path.join(root(), ECG5000_TRAIN_FILE);
    const table = parseUcrTable(readFileSync(file), file, 140);
    expect(Object.fromEntries(count([...table.classValues]))).toEqual({ 1: 292, 2: 177, 3: 10, 4: 19, 5: 2 });
    const recordings = await collect(root(), { subjects: ['train', 'test'] });
    expect(recordings).toHaveLength(500);
    expect(recordings[499].name).toBe('train/0500');
    expect(Object.fromEntries(count(recordings.map((r) => r.recordingLabel)))).toEqual({ normal: 292, abnormal: 208 });
    // First row of ECG5000_TRAIN.txt: class 1, then -1.1252183e-01 -2.8272038e+00 ...
    expect(recordings[0].data[0]).toBe(Math.fround(-1.1252183e-1));
    expect(recordings[0].data[1]).toBe(Math.fround(-2.8272038));
  });

  it('parses every value exactly as Number() would', () => {
    expectScannerMatchesNumber(readFileSync(path.join(root(), ECG5000_TRAIN_FILE)));
  });
});

describe.skipIf(!fullArchiveAvailable('ecg5000'))('ecg5000Adapter on the full archive (NX_TINYML_DATASET_MIRROR)', () => {
  const root = useDatasetRoot('ecg5000', 'full');

  it('has 4,500 derived test beats: normal 2,627 / abnormal 1,873', async () => {
    const recordings = await collect(root(), { subjects: ['test'] });
    expect(recordings).toHaveLength(4500);
    expect(recordings[4499].name).toBe('test/4500');
    expect(Object.fromEntries(count(recordings.map((r) => r.recordingLabel)))).toEqual({ normal: 2627, abnormal: 1873 });
    expectScannerMatchesNumber(readFileSync(path.join(root(), ECG5000_TEST_FILE)));
  });
});
