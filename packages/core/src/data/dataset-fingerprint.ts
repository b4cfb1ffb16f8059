import { canonicalJson } from '../common/canonical-json';
import type { NormalizedDataset } from '../spec/types';
import { archiveContentSha256, resolveArchive } from './fetch';

/**
 * The window stage's dataset key: which archive it will read (full or sample, and its sha256: it depends on
 * NX_TINYML_DATASET_MIRROR, so it is computed when Nx hashes, in Nx's environment) and, when the file under the
 * expected name is damaged, its actual sha256 — so Nx never restores results of the good archive for it: the stage
 * runs and refuses the archive (present only then, so intact data keeps its key). An unresolvable request prints
 * its error: the executor reports it.
 */
export async function datasetFingerprintText(request: NormalizedDataset | null, workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (request === null) return canonicalJson({ dataset: null });
  try {
    const archive = resolveArchive(request.name, { source: request.source, url: request.url, workspaceRoot, env });
    const fingerprint: Record<string, unknown> = { dataset: { name: request.name, variant: archive.variant, sha256: archive.sha256 } };
    const actual = await archiveContentSha256(archive, workspaceRoot, env);
    if (actual !== null && actual !== archive.sha256) fingerprint.archiveMismatch = actual;
    return canonicalJson(fingerprint);
  } catch (error) {
    return canonicalJson({ dataset: request.name, error: (error as Error).message });
  }
}
