/**
 * MIT-BIH Arrhythmia Database (PhysioNet mitdb): 48 two-lead ECG records at 360 Hz with reference beat
 * annotations. One Recording per record; beats become events labelled with their AAMI EC57 class.
 */
import { access, readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DataFormatError, UserError } from '../../common/errors';
import type { AdapterOptions, DatasetAdapter, LabelledEvent, Recording } from '../recording';
import { readMitAnnotations, readWfdbHeader, readWfdbRecord, type WfdbAnnotation, type WfdbHeader } from './wfdb';

/** Every lead name that occurs in the database's headers. Each record has two of them. */
export const MITBIH_LEADS = ['MLII', 'V1', 'V2', 'V4', 'V5'] as const;

/** AAMI EC57 heartbeat classes, in class-index order. */
export const AAMI_CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;
export type AamiClass = (typeof AAMI_CLASSES)[number];

/**
 * Beat annotation mnemonic → AAMI class (de Chazal 2004, table 1). Every other annotation (rhythm `+`,
 * noise `~`, artifacts `|`, flutter waves `!`, non-conducted P waves `x`, comments `"`, ...) is not a beat class
 * and is dropped.
 */
export const AAMI_CLASS_OF_BEAT: Readonly<Record<string, AamiClass>> = {
  N: 'N',
  L: 'N',
  R: 'N',
  e: 'N',
  j: 'N',
  A: 'S',
  a: 'S',
  J: 'S',
  S: 'S',
  V: 'V',
  E: 'V',
  F: 'F',
  '/': 'Q',
  f: 'Q',
  Q: 'Q',
};

/**
 * The inter-patient split of de Chazal et al. 2004: DS1 trains, DS2 tests, no patient in both. The four paced
 * records (102, 104, 107, 217) are in neither, as AAMI recommends.
 */
export const MITBIH_DS1 = [
  '101',
  '106',
  '108',
  '109',
  '112',
  '114',
  '115',
  '116',
  '118',
  '119',
  '122',
  '124',
  '201',
  '203',
  '205',
  '207',
  '208',
  '209',
  '215',
  '220',
  '223',
  '230',
] as const;
export const MITBIH_DS2 = [
  '100',
  '103',
  '105',
  '111',
  '113',
  '117',
  '121',
  '123',
  '200',
  '202',
  '210',
  '212',
  '213',
  '214',
  '219',
  '221',
  '222',
  '228',
  '231',
  '232',
  '233',
  '234',
] as const;

const RATE_HZ = 360;

export const mitbihAdapter: DatasetAdapter = {
  id: 'mitbih',
  nativeRateHz: RATE_HZ,
  channels: MITBIH_LEADS.map((name) => ({ name, unit: 'mV' })),
  defaultChannels: ['MLII'],
  labels: AAMI_CLASSES,
  splits: { 'ds1-ds2': { train: MITBIH_DS1, test: MITBIH_DS2 } },
  recordings: mitbihRecordings,
};

/**
 * Yields the records in name order. Subjects absent from `root` are ignored (the committed sample holds only
 * four records, and folds name the whole split). A record without a requested lead is skipped, unless the
 * caller named that record in `subjects`: then the missing lead is an error, since silently dropping an asked-for
 * record would change the experiment.
 */
async function* mitbihRecordings(root: string, options: AdapterOptions = {}): AsyncGenerator<Recording> {
  const leads = requestedLeads(options.channels);
  const wanted = options.subjects === undefined ? undefined : new Set(options.subjects);
  for (const record of await listRecords(root)) {
    if (wanted !== undefined && !wanted.has(record)) continue;
    const header = await readWfdbHeader(root, record);
    const signalOfLead = leads.map((lead) => header.signals.findIndex((s) => s.description === lead));
    const missing = leads.filter((_, i) => signalOfLead[i] < 0);
    if (missing.length > 0) {
      if (wanted !== undefined) {
        const has = header.signals.map((s) => s.description).join(', ');
        throw new UserError(`mitbih record ${record} has no lead ${missing.join(', ')} (it has ${has}); choose other channels or drop the record`);
      }
      continue;
    }
    yield await readRecording(root, record, header, leads, signalOfLead);
  }
}

function requestedLeads(channels: readonly string[] | undefined): string[] {
  const leads = [...(channels ?? mitbihAdapter.defaultChannels)];
  if (leads.length === 0) throw new UserError('mitbih: no channels requested');
  for (const lead of leads) {
    if (!(MITBIH_LEADS as readonly string[]).includes(lead)) {
      throw new UserError(`mitbih has no channel "${lead}"; channels: ${MITBIH_LEADS.join(', ')}`);
    }
  }
  return leads;
}

/** Record names from the RECORDS file when there is one (as PhysioNet ships it), else from the *.hea files. */
export async function listRecords(root: string): Promise<string[]> {
  const recordsFile = path.join(root, 'RECORDS');
  let names: string[];
  if (await exists(recordsFile)) {
    names = (await readFile(recordsFile, 'latin1'))
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  } else {
    let entries: string[];
    try {
      entries = await readdir(root);
    } catch {
      throw new UserError(`mitbih: cannot read the dataset folder ${root}`);
    }
    names = entries.filter((name) => name.endsWith('.hea')).map((name) => name.slice(0, -'.hea'.length));
  }
  return names.sort();
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function readRecording(root: string, record: string, header: WfdbHeader, leads: string[], signalOfLead: number[]): Promise<Recording> {
  const { samples, length } = await readWfdbRecord(root, record, header);
  const channelCount = leads.length;
  const data = new Float32Array(length * channelCount);
  signalOfLead.forEach((signalIndex, channel) => {
    const adu = samples[signalIndex];
    const { baseline, gain } = header.signals[signalIndex];
    for (let t = 0, at = channel; t < length; t++, at += channelCount) data[at] = (adu[t] - baseline) / gain;
  });
  const atrFile = path.join(root, `${record}.atr`);
  const events = beatEvents(await readMitAnnotations(atrFile));
  const outside = events.find((event) => event.at < 0 || event.at >= length);
  if (outside !== undefined) {
    throw new DataFormatError(atrFile, undefined, `beat at sample ${outside.at} lies outside the ${length} samples of record ${record}`);
  }
  return { subject: record, name: record, rateHz: header.samplingFrequencyHz, channels: leads, length, data, events };
}

/** Beats with an AAMI class, at their annotation sample (the R peak); everything else is dropped. */
export function beatEvents(annotations: readonly WfdbAnnotation[]): LabelledEvent[] {
  const events: LabelledEvent[] = [];
  for (const annotation of annotations) {
    const label = AAMI_CLASS_OF_BEAT[annotation.mnemonic];
    if (label !== undefined) events.push({ at: annotation.sample, label });
  }
  return events;
}
