import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../common/errors';
import { decodeFormat212, parseMitAnnotations, parseWfdbHeader, readWfdbRecord, verifyWfdbSignals } from './wfdb';

const SAMPLE = path.resolve(__dirname, '../../../../../tools/datasets/samples/mitbih-sample.tar.xz');

/** Packs 12-bit values the way format 212 does, written independently of the decoder. */
function encode212(values: number[]): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < values.length; i += 2) {
    const a = values[i] & 0xfff;
    const b = i + 1 < values.length ? values[i + 1] & 0xfff : 0;
    bytes.push(a & 0xff, ((a >> 8) & 0x0f) | ((b >> 4) & 0xf0), b & 0xff);
  }
  return Uint8Array.from(bytes.slice(0, Math.ceil((values.length * 3) / 2)));
}

function expectFormatError(run: () => unknown, text: string | RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected a DataFormatError');
}

describe('parseWfdbHeader', () => {
  it('reads record and signal lines (CRLF, comments) of a real MIT-BIH header', () => {
    const text = '100 2 360 650000\r\n100.dat 212 200 11 1024 995 -22131 0 MLII\r\n100.dat 212 200 11 1024 1011 20052 0 V5\r\n# 69 M 1085 1629 x1\r\n';
    const header = parseWfdbHeader(text, '100.hea');
    expect(header).toMatchObject({ record: '100', samplingFrequencyHz: 360, samplesPerSignal: 650000 });
    expect(header.signals[0]).toEqual({
      file: '100.dat',
      format: 212,
      byteOffset: 0,
      gain: 200,
      baseline: 1024,
      units: 'mV',
      adcResolution: 11,
      adcZero: 1024,
      initialValue: 995,
      checksum: -22131,
      blockSize: 0,
      description: 'MLII',
    });
    expect(header.signals[1].description).toBe('V5');
  });

  it('reads gain(baseline)/unit, descriptions with spaces and defaults for missing fields', () => {
    const text = ['x 3 250/1000', 'x.dat 212 200(0)/mV 12 1024 0 0 0 ECG lead II', 'x.dat 212+6 0/uV', 'x.dat 212 1.5e2'].join('\n');
    const [first, second, third] = parseWfdbHeader(text, 'x.hea').signals;
    expect(first).toMatchObject({ gain: 200, baseline: 0, units: 'mV', adcZero: 1024, description: 'ECG lead II' });
    // Gain 0 means uncalibrated: WFDB assumes 200; baseline falls back to the ADC zero.
    expect(second).toMatchObject({ gain: 200, baseline: 0, units: 'uV', byteOffset: 6, adcResolution: 12, initialValue: undefined, checksum: undefined });
    expect(third).toMatchObject({ gain: 150, units: 'mV', description: '' });
    expect(parseWfdbHeader(text, 'x.hea')).toMatchObject({ samplingFrequencyHz: 250, samplesPerSignal: undefined });
  });

  it('names file and line of malformed lines', () => {
    expectFormatError(() => parseWfdbHeader('r 1 360 10\n# c\nr.dat 212 2x0 11', 'r.hea'), /^r\.hea:3: bad gain field "2x0"/);
    expectFormatError(() => parseWfdbHeader('r 1 360 10\nr.dat 2a2', 'r.hea'), /^r\.hea:2: bad format field/);
    expectFormatError(() => parseWfdbHeader('r 1 360 10\nr.dat 212 200 11 abc', 'r.hea'), /^r\.hea:2: bad ADC zero "abc"/);
    expectFormatError(() => parseWfdbHeader('r x', 'r.hea'), /^r\.hea:1: record line needs a signal count/);
    expectFormatError(() => parseWfdbHeader('r 1\nr.dat 212\nr.dat 212', 'r.hea'), /^r\.hea:3: more signal lines/);
    expectFormatError(() => parseWfdbHeader('r 2\nr.dat 212', 'r.hea'), /^r\.hea: record line announces 2 signals, found 1/);
    expectFormatError(() => parseWfdbHeader('# only a comment\n', 'r.hea'), /^r\.hea: no record line/);
  });
});

describe('decodeFormat212', () => {
  it('decodes hand-packed pairs, negative values included', () => {
    // s0 = -1 (0xFFF), s1 = 1: b0 = 0xFF, b1 = low nibble 0xF | high nibble 0x0, b2 = 0x01.
    // s0 = -2048 (0x800), s1 = 2047 (0x7FF): b0 = 0x00, b1 = 0x8 | 0x70, b2 = 0xFF.
    const [first, second] = decodeFormat212(Uint8Array.from([0xff, 0x0f, 0x01, 0x00, 0x78, 0xff]), 2, 2, 'x.dat');
    expect([...first]).toEqual([-1, -2048]);
    expect([...second]).toEqual([1, 2047]);
  });

  it('round-trips any 12-bit values for 1, 2 and 3 interleaved signals (odd sample counts too)', () => {
    const values = Array.from({ length: 3 * 7 }, (_, i) => ((i * 797) % 4096) - 2048);
    for (const signals of [1, 2, 3]) {
      const length = Math.floor(values.length / signals);
      const used = values.slice(0, length * signals);
      const decoded = decodeFormat212(encode212(used), signals, length, 'x.dat');
      decoded.forEach((signal, s) => expect([...signal]).toEqual(used.filter((_, i) => i % signals === s)));
    }
  });

  it('refuses a truncated file', () => {
    expectFormatError(() => decodeFormat212(new Uint8Array(5), 2, 2, 'x.dat'), /^x\.dat: 5 bytes, but 2 samples × 2 signals in format 212 need 6/);
  });
});

describe('readWfdbRecord and verifyWfdbSignals', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wfdb-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a record whose header states the right first samples and checksums', async () => {
    // Signal 0: 10, -20, 30 → sum 20; signal 1: -1, -1, 5 → sum 3.
    writeFileSync(path.join(dir, 'r.dat'), encode212([10, -1, -20, -1, 30, 5]));
    writeFileSync(path.join(dir, 'r.hea'), 'r 2 360 3\nr.dat 212 200 11 0 10 20 0 MLII\nr.dat 212 100(5)/mV 11 0 -1 3 0 V1\n');
    const record = await readWfdbRecord(dir, 'r');
    expect(record.length).toBe(3);
    expect([...record.samples[0]]).toEqual([10, -20, 30]);
    expect([...record.samples[1]]).toEqual([-1, -1, 5]);
  });

  it('names the .dat when a checksum or first sample disagrees with the header', async () => {
    writeFileSync(path.join(dir, 'bad.dat'), encode212([10, -1, -20, -1, 30, 5]));
    writeFileSync(path.join(dir, 'bad.hea'), 'bad 2 360 3\nbad.dat 212 200 11 0 10 20 0 MLII\nbad.dat 212 200 11 0 -1 4 0 V1\n');
    await expect(readWfdbRecord(dir, 'bad')).rejects.toThrow(`${path.join(dir, 'bad.dat')}: signal 1 (V1): checksum 3 ≠ 4 in the header`);
    const signal = parseWfdbHeader('q 1\nq.dat 212 200 11 0 7', 'q.hea').signals;
    expectFormatError(
      () => verifyWfdbSignals([Int16Array.from([8])], signal, 'q.dat'),
      /^q\.dat: signal 0 \(no description\): first sample 8 ≠ initial value 7/,
    );
  });

  it('compares checksums modulo 2^16 (headers write them as signed 16-bit numbers)', () => {
    const samples = Int16Array.from([2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000]); // 34,000
    const [signal] = parseWfdbHeader('q 1\nq.dat 212 200 11 0 2000 -31536', 'q.hea').signals;
    expect(() => verifyWfdbSignals([samples], [signal], 'q.dat')).not.toThrow();
  });
});

describe('parseMitAnnotations', () => {
  const word = (code: number, data: number) => [((code << 10) | data) & 0xff, ((code << 10) | data) >> 8];

  it('decodes SKIP, AUX (odd length, padded), NUM, SUB and CHN and stops at the zero word', () => {
    const bytes = Uint8Array.from([
      ...word(59, 0),
      0x01,
      0x00,
      0x02,
      0x00, // SKIP 0x0001_0002 = 65,538 (high word first)
      ...word(28, 18), // '+' at 65,556
      ...word(63, 3),
      0x28,
      0x4e,
      0x00,
      0x00, // AUX "(N" + NUL, padded to 4 bytes
      ...word(1, 100), // N at 65,656
      ...word(60, 7), // NUM 7 for it and later ones
      ...word(5, 1023), // V at 66,679
      ...word(61, 2), // SUB 2 for this one only
      ...word(62, 1), // CHN 1
      ...word(8, 1), // A at 66,680: num 7 and chan 1 carry over, subtype resets
      ...word(0, 0),
      ...word(1, 5), // after the end marker: ignored
    ]);
    expect(parseMitAnnotations(bytes, 'x.atr')).toEqual([
      { sample: 65556, code: 28, mnemonic: '+', subtype: 0, chan: 0, num: 0, aux: '(N' },
      { sample: 65656, code: 1, mnemonic: 'N', subtype: 0, chan: 0, num: 7 },
      { sample: 66679, code: 5, mnemonic: 'V', subtype: 2, chan: 1, num: 7 },
      { sample: 66680, code: 8, mnemonic: 'A', subtype: 0, chan: 1, num: 7 },
    ]);
  });

  it('reads a negative SKIP and gives codes without a mnemonic as [code]', () => {
    const bytes = Uint8Array.from([...word(1, 10), ...word(59, 0), 0xff, 0xff, 0xfb, 0xff, ...word(15, 0)]);
    expect(parseMitAnnotations(bytes, 'x.atr').map((a) => [a.sample, a.mnemonic])).toEqual([
      [10, 'N'],
      [5, '[15]'],
    ]);
  });

  it('names the file and byte of malformed data', () => {
    expectFormatError(() => parseMitAnnotations(Uint8Array.from([...word(1, 1), ...word(55, 0)]), 'x.atr'), /^x\.atr: byte 2: unknown annotation code 55/);
    expectFormatError(() => parseMitAnnotations(Uint8Array.from([...word(59, 0), 0, 0]), 'x.atr'), /^x\.atr: byte 0: SKIP without its 4-byte interval/);
    expectFormatError(() => parseMitAnnotations(Uint8Array.from([...word(1, 1), ...word(63, 9), 65]), 'x.atr'), /AUX of 9 bytes runs past the end/);
    expectFormatError(() => parseMitAnnotations(Uint8Array.from(word(61, 1)), 'x.atr'), /SUB before the first annotation/);
  });
});

describe('the committed MIT-BIH sample', () => {
  let root: string;
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'mitbih-sample-'));
    execFileSync('tar', ['-xJf', SAMPLE, '-C', tmp]);
    root = path.join(tmp, 'mitbih');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds files byte-identical to PhysioNet (its SHA256SUMS.txt)', () => {
    const sums = new Map(
      readFileSync(path.join(root, 'SHA256SUMS.txt'), 'latin1')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [hash, name] = line.trim().split(/\s+/);
          return [name, hash] as const;
        }),
    );
    for (const record of ['100', '200', '201', '223']) {
      for (const ext of ['hea', 'dat', 'atr']) {
        const name = `${record}.${ext}`;
        expect(
          createHash('sha256')
            .update(readFileSync(path.join(root, name)))
            .digest('hex'),
          name,
        ).toBe(sums.get(name));
      }
    }
  });

  it('decodes every record with first samples and checksums matching the headers', async () => {
    for (const record of ['100', '200', '201', '223']) {
      const { length, samples, header } = await readWfdbRecord(root, record);
      expect(length).toBe(650000);
      expect(samples.map((s) => s[0])).toEqual(header.signals.map((s) => s.initialValue));
    }
  });

  it('reads record 100 annotations: 2,274 in all, 2,273 of them beats (PhysioNet / the archive README)', () => {
    const annotations = parseMitAnnotations(readFileSync(path.join(root, '100.atr')), '100.atr');
    expect(annotations).toHaveLength(2274);
    expect(annotations[0]).toMatchObject({ sample: 18, mnemonic: '+', aux: '(N' });
    expect(annotations.filter((a) => a.mnemonic !== '+')).toHaveLength(2273);
  });
});
