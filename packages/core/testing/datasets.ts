/** Shared by the adapter tests: the real archives, verified and extracted once, and a collecting loop. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll } from 'vitest';
import { defaultWorkspaceRoot } from '../src/common/workspace';
import { DATA_DIR_ENV, ensureDataset, MIRROR_ENV } from '../src/data/fetch';
import type { AdapterOptions, DatasetAdapter, Recording } from '../src/data/recording';
import { datasetEntry, type DatasetId } from '../src/data/registry';

/** The repository's extraction cache (`.data/datasets`), shared by all tests and runs. */
const CACHE_DIR = path.join(defaultWorkspaceRoot, '.data', 'datasets');

/**
 * The dataset's top folder inside the committed sample or the full archive from NX_TINYML_DATASET_MIRROR.
 * ensureDataset verifies the sha256 and extracts only when the cache lacks the folder, so repeated calls are cheap.
 */
export async function datasetRoot(id: DatasetId, variant: 'sample' | 'full'): Promise<string> {
  const dataset = await ensureDataset(id, {
    source: variant,
    workspaceRoot: defaultWorkspaceRoot,
    env: { ...process.env, [DATA_DIR_ENV]: CACHE_DIR },
  });
  return dataset.root;
}

/**
 * For a describe block: registers a beforeAll that resolves datasetRoot (with time for a first extraction of a full
 * archive) and returns a getter for the root, to call inside the tests.
 */
export function useDatasetRoot(id: DatasetId, variant: 'sample' | 'full'): () => string {
  let root: string | undefined;
  beforeAll(async () => {
    root = await datasetRoot(id, variant);
  }, 120_000);
  return () => {
    if (root === undefined) throw new Error(`useDatasetRoot(${id}, ${variant}): the root is known only once beforeAll has run`);
    return root;
  };
}

/** True when NX_TINYML_DATASET_MIRROR is set and holds the dataset's full archive: gates the full-archive tests. */
export function fullArchiveAvailable(id: DatasetId): boolean {
  const mirror = process.env[MIRROR_ENV];
  return !!mirror && existsSync(path.resolve(defaultWorkspaceRoot, mirror, datasetEntry(id).archive));
}

/** Every recording the adapter yields from `root`, in order. */
export async function collectRecordings(adapter: DatasetAdapter, root: string, options?: AdapterOptions): Promise<Recording[]> {
  const recordings: Recording[] = [];
  for await (const recording of adapter.recordings(root, options)) recordings.push(recording);
  return recordings;
}
