import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors';
import type { AdapterOptions, Recording } from '../recording';
import { AAMI_CLASSES, beatEvents, listRecords, MITBIH_DS1, MITBIH_DS2, mitbihAdapter } from './mitbih';
import { collectRecordings, fullArchiveAvailable, useDatasetRoot } from '../../../testing/datasets';
import { annotationMnemonic, readMitAnnotations, readWfdbRecord, type WfdbAnnotation } from './wfdb';

const collect = (root: string, options?: AdapterOptions) => collectRecordings(mitbihAdapter, root, options);

function classCounts(recording: Recording): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of recording.events ?? []) counts[event.label] = (counts[event.label] ?? 0) + 1;
  return counts;
}

describe('AAMI classes and the de Chazal split', () => {
  it('maps beat mnemonics to AAMI classes and drops non-beats', () => {
    const annotation = (sample: number, code: number): WfdbAnnotation => ({ sample, code, mnemonic: annotationMnemonic(code), subtype: 0, chan: 0, num: 0 });
    // N L R e j | A a J S | V E | F | / f Q, then + ~ | ! x " (rhythm, noise, artifact, flutter, P wave, comment).
    const codes = [1, 2, 3, 34, 11, 8, 4, 7, 9, 5, 10, 6, 12, 38, 13, 28, 14, 16, 31, 37, 22];
    const events = beatEvents(codes.map((code, i) => annotation(i, code)));
    expect(events.map((e) => e.label).join('')).toBe('NNNNNSSSSVVFQQQ');
    expect(events.map((e) => e.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(mitbihAdapter.labels).toEqual(AAMI_CLASSES);
  });

  it('splits 44 records into disjoint DS1/DS2 halves without the paced records', () => {
    const { train, test } = mitbihAdapter.splits['ds1-ds2'];
    expect([train.length, test.length]).toEqual([22, 22]);
    expect(new Set([...MITBIH_DS1, ...MITBIH_DS2]).size).toBe(44);
    for (const paced of ['102', '104', '107', '217']) expect([...train, ...test]).not.toContain(paced);
  });
});

describe('mitbihAdapter on the committed sample (records 100, 200, 201, 223)', () => {
  const root = useDatasetRoot('mitbih', 'sample');
  let recordings: Recording[];
  beforeAll(async () => {
    recordings = await collect(root());
  });

  it('lists the *.hea files when there is no RECORDS file', async () => {
    expect(await listRecords(root())).toEqual(['100', '200', '201', '223']);
    expect(recordings.map((r) => [r.name, r.subject, r.rateHz, r.length, r.channels.join()])).toEqual([
      ['100', '100', 360, 650000, 'MLII'],
      ['200', '200', 360, 650000, 'MLII'],
      ['201', '201', 360, 650000, 'MLII'],
      ['223', '223', 360, 650000, 'MLII'],
    ]);
  });

  it('converts ADC units to mV with the header baseline and gain', () => {
    // 100.hea: MLII initial value 995, ADC zero 1024, gain 200 adu/mV.
    expect(recordings[0].data[0]).toBeCloseTo((995 - 1024) / 200, 6);
    expect(recordings[0].data).toHaveLength(650000);
  });

  it('labels beats with AAMI classes (record 100: 2,273 beats, as PhysioNet and the archive README state)', () => {
    // Per-record counts from an independent Python decoder of the .atr files, whose totals over all 48 records
    // reproduce the README's 112,647 annotations and record 100's 2,273 beats.
    expect(recordings.map(classCounts)).toEqual([
      { N: 2239, S: 33, V: 1 },
      { N: 1743, S: 30, V: 826, F: 2 },
      { N: 1635, S: 128, V: 198, F: 2 },
      { N: 2045, S: 73, V: 473, F: 14 },
    ]);
    const first = recordings[0].events?.[0];
    expect(first).toEqual({ at: 77, label: 'N' });
  });

  it('has N, S and V beats in both halves of ds1-ds2', () => {
    const { train, test } = mitbihAdapter.splits['ds1-ds2'];
    for (const half of [train, test]) {
      const labels = new Set(recordings.filter((r) => half.includes(r.subject)).flatMap((r) => r.events?.map((e) => e.label) ?? []));
      for (const label of ['N', 'S', 'V']) expect(labels.has(label)).toBe(true);
    }
  });

  it('returns the requested leads in the requested order', async () => {
    const [record] = await collect(root(), { channels: ['V1', 'MLII'], subjects: ['223'] });
    expect(record.channels).toEqual(['V1', 'MLII']);
    // 223.hea: V1 initial value 992, MLII 838.
    expect(record.data[0]).toBeCloseTo((992 - 1024) / 200, 6);
    expect(record.data[1]).toBeCloseTo((838 - 1024) / 200, 6);
  });

  it('skips records without a requested lead, unless the caller named them', async () => {
    // Record 100 has MLII and V5, the others MLII and V1.
    expect((await collect(root(), { channels: ['V1'] })).map((r) => r.name)).toEqual(['200', '201', '223']);
    expect((await collect(root(), { channels: ['V5'] })).map((r) => r.name)).toEqual(['100']);
    await expect(collect(root(), { channels: ['V1'], subjects: ['100', '200'] })).rejects.toThrow(/mitbih record 100 has no lead V1 \(it has MLII, V5\)/);
    await expect(collect(root(), { channels: ['V1'], subjects: ['100'] })).rejects.toBeInstanceOf(UserError);
  });

  it('ignores requested subjects that the archive lacks (a sample holds part of a split)', async () => {
    const names = (await collect(root(), { subjects: [...MITBIH_DS1] })).map((r) => r.name);
    expect(names).toEqual(['201', '223']);
  });

  it('refuses unknown channels', async () => {
    await expect(collect(root(), { channels: ['II'] })).rejects.toThrow(/mitbih has no channel "II"/);
  });

  it('reads only the records asked for', async () => {
    // A root whose record 100 is broken: asking for 223 alone must not touch it.
    const partial = mkdtempSync(path.join(tmpdir(), 'mitbih-partial-'));
    try {
      for (const ext of ['hea', 'dat', 'atr']) symlinkSync(path.join(root(), `223.${ext}`), path.join(partial, `223.${ext}`));
      writeFileSync(path.join(partial, '100.hea'), '100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n');
      writeFileSync(path.join(partial, '100.dat'), Buffer.alloc(10));
      expect((await collect(partial, { subjects: ['223'] })).map((r) => r.name)).toEqual(['223']);
      await expect(collect(partial)).rejects.toThrow(/100\.dat: 10 bytes, but 650000 samples/);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!fullArchiveAvailable('mitbih'))('mitbihAdapter on the full archive (NX_TINYML_DATASET_MIRROR)', () => {
  const root = useDatasetRoot('mitbih', 'full');

  it('decodes all 48 records (checksums verified) into 112,647 annotations and 109,494 AAMI beats', async () => {
    const records = await listRecords(root());
    expect(records).toHaveLength(48);
    let annotations = 0;
    const counts: Record<string, number> = {};
    for (const record of records) {
      await readWfdbRecord(root(), record);
      const decoded = await readMitAnnotations(path.join(root(), `${record}.atr`));
      annotations += decoded.length;
      for (const event of beatEvents(decoded)) counts[event.label] = (counts[event.label] ?? 0) + 1;
    }
    // 109,626 beat annotations (README) = 109,494 AAMI beats + 132 isolated QRS-like artifacts (`|`), which AAMI
    // does not count as beats.
    expect(annotations).toBe(112647);
    expect(counts).toEqual({ N: 90631, S: 2781, V: 7236, F: 803, Q: 8043 });
  }, 30_000);

  it('yields the 46 records that have lead MLII (102 and 104 have V5 and V2)', async () => {
    const recordings = await collect(root());
    expect(recordings).toHaveLength(46);
    expect(recordings.map((r) => r.name)).not.toContain('102');
    expect(recordings.reduce((sum, r) => sum + (r.events?.length ?? 0), 0)).toBe(105078);
  }, 30_000);
});
