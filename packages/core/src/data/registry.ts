import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../common/errors';
import { defaultWorkspaceRoot, resolveResource } from '../common/workspace';

export const DATASET_IDS = ['ecg5000', 'hapt_uci', 'mitbih', 'sisfall'] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

export interface ArchiveRef {
  /** File name in a mirror folder (full archive) or path relative to tools/datasets (sample). */
  archive: string;
  sha256: string;
  bytes: number;
}

/** One committed line of the dataset registry: tools/datasets/<id>.json. Hashing this file is hashing the data. */
export interface DatasetEntry extends ArchiveRef {
  id: DatasetId;
  title: string;
  /** Top-level folder inside the archive. */
  root: string;
  licence: string;
  citation: string;
  /** Optional public download location of the full archive. */
  url?: string;
  /** A small cut of the real data committed to the repo: the embedded default when no mirror or URL is set. */
  sample?: ArchiveRef & { note: string };
}

export function registryDir(workspaceRoot = defaultWorkspaceRoot): string {
  return resolveResource(workspaceRoot, path.join('tools', 'datasets'));
}

export function registryFile(id: string, workspaceRoot = defaultWorkspaceRoot): string {
  return path.join(registryDir(workspaceRoot), `${id}.json`);
}

export function isDatasetId(id: string): id is DatasetId {
  return (DATASET_IDS as readonly string[]).includes(id);
}

export function datasetEntry(id: string, workspaceRoot = defaultWorkspaceRoot): DatasetEntry {
  if (!isDatasetId(id)) {
    throw new UserError(`unknown dataset "${id}"; known datasets: ${DATASET_IDS.join(', ')}`);
  }
  const file = registryFile(id, workspaceRoot);
  let entry: DatasetEntry;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8')) as DatasetEntry;
  } catch (error) {
    throw new UserError(`${file}: cannot read the dataset registry entry: ${(error as Error).message}`);
  }
  for (const key of ['archive', 'sha256', 'root'] as const) {
    if (typeof entry[key] !== 'string') throw new UserError(`${file}: "${key}" must be a string`);
  }
  return entry;
}
