import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalJson } from '../common/canonical-json';
import { archiveContentSha256, resolveArchive } from '../data/fetch';
import { stageContract, type FingerprintedStage, type StageParam } from '../stages/pipeline';
import type { NormalizedSpec } from './types';
import { loadSpec } from './load';

/**
 * What a stage's result depends on inside the spec: the normalized sections it reads (defaults filled, so writing
 * a default out changes nothing) and, for the window stage, which dataset archive it will read. Comments,
 * formatting and other sections do not appear, so editing them keeps the stage's cache entry.
 */
export function stageFingerprint(
  spec: NormalizedSpec,
  stage: FingerprintedStage,
  context: { workspaceRoot: string; env?: NodeJS.ProcessEnv },
): unknown {
  const contract = stageContract(stage);
  const fingerprint: Record<string, unknown> = { stage, experiment: spec.name };
  for (const key of contract.params) fingerprint[key] = paramValue(spec, key);
  if (contract.dataset) {
    const archive = resolveArchive(spec.dataset.name, {
      source: spec.dataset.source,
      url: spec.dataset.url,
      workspaceRoot: context.workspaceRoot,
      env: context.env ?? process.env,
    });
    fingerprint.dataset = { name: spec.dataset.name, variant: archive.variant, sha256: archive.sha256 };
  }
  return fingerprint;
}

/** A top-level section's value, or one key's inside it (`evaluate.postProcessing`). */
function paramValue(spec: NormalizedSpec, param: StageParam): unknown {
  const [section, key] = param.split('.') as [keyof NormalizedSpec, string | undefined];
  const value = spec[section];
  return key === undefined ? value : (value as unknown as Record<string, unknown>)[key];
}

/**
 * The text the Nx `runtime` input hashes. An invalid spec still gets a stable fingerprint (of its text), so the
 * task runs and the executor reports the spec's errors instead of Nx failing while hashing.
 */
export async function stageFingerprintText(file: string, stage: FingerprintedStage, workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const spec = await loadSpec(file, { workspaceRoot });
    const fingerprint = stageFingerprint(spec, stage, { workspaceRoot, env }) as Record<string, unknown>;
    if (stageContract(stage).dataset) {
      // A damaged archive under the expected name gets its own key, so Nx never restores results of the good one
      // for it: the stage runs and refuses the archive. (Present only then, so intact data keeps its keys.)
      const archive = resolveArchive(spec.dataset.name, { source: spec.dataset.source, url: spec.dataset.url, workspaceRoot, env });
      const actual = await archiveContentSha256(archive, workspaceRoot, env);
      if (actual !== null && actual !== archive.sha256) fingerprint.archiveMismatch = actual;
    }
    return canonicalJson(fingerprint);
  } catch (error) {
    let text = '';
    try {
      text = readFileSync(path.resolve(workspaceRoot, file), 'utf8');
    } catch {
      // unreadable: the executor will say so
    }
    const digest = createHash('sha256').update(text).digest('hex');
    return canonicalJson({ stage, invalidSpec: digest, error: (error as Error).message });
  }
}
