import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EVALUATE_STAGE, STAGES, type FingerprintedStage } from '@nx-tinyml/core/pipeline/stage-contracts';
import { PLUGIN_DATA_DIR } from './workspace-layout';
import { writeFileIfChanged } from './write-if-changed';

const FINGERPRINTED: readonly FingerprintedStage[] = [...STAGES, EVALUATE_STAGE];

/** Workspace-relative file holding what `stage` of `project` reads from its spec; hashed by Nx as a file input. */
export function stageParamsFile(project: string, stage: FingerprintedStage): string {
  return `${PLUGIN_DATA_DIR}/${project}/${stage}.params.json`;
}

/** Workspace-relative file holding the spec's `dataset` section (JSON null for an invalid spec), not hashed. */
export function datasetRequestFile(project: string): string {
  return `${PLUGIN_DATA_DIR}/${project}/dataset-request.json`;
}

/** What the project's params files were last computed from, and their digests; never hashed by Nx. */
function manifestFile(project: string): string {
  return `${PLUGIN_DATA_DIR}/${project}/params-manifest.json`;
}

interface ParamsManifest {
  /** Digest of the spec's text and of `inputsDigest` (the code and boards the params are computed with). */
  key: string;
  /** sha1 of each file written: another command may have rewritten one since (two commands across an edit). */
  files: Record<string, string>;
}

/**
 * Writes each stage's params file for the project whose spec is `specFile`: the normalized sections the stage
 * reads, as canonical JSON (core/spec/stage-params). Done while Nx infers targets, which it does in every command
 * before hashing (in the command itself with the daemon off, in the daemon after any file change with it on), so
 * Nx hashes them natively as files instead of starting a process per stage. When neither the spec nor
 * `inputsDigest` changed and the files are as last written, nothing is loaded: validating a spec needs the schema
 * validator and the spec model, ~0.15 s on every nx command.
 */
export async function writeStageParams(workspaceRoot: string, specFile: string, project: string, inputsDigest: string): Promise<void> {
  let text = '';
  try {
    text = readFileSync(path.join(workspaceRoot, specFile), 'utf8');
  } catch {
    // unreadable: the params say "invalid spec" and the executor reports why
  }
  const key = sha1(`${inputsDigest}\0${specFile}\0${text}`);
  if (isUpToDate(workspaceRoot, project, key)) return;
  const { stageParamsTexts } = await import('@nx-tinyml/core/spec/stage-params');
  const { texts, dataset } = stageParamsTexts(text, specFile, FINGERPRINTED, workspaceRoot);
  const files: Record<string, string> = Object.fromEntries(FINGERPRINTED.map((stage) => [stageParamsFile(project, stage), `${texts[stage]}\n`]));
  files[datasetRequestFile(project)] = `${JSON.stringify(dataset)}\n`;
  for (const [file, content] of Object.entries(files)) writeFileIfChanged(path.join(workspaceRoot, file), content);
  const manifest: ParamsManifest = { key, files: Object.fromEntries(Object.entries(files).map(([file, content]) => [file, sha1(content)])) };
  writeFileIfChanged(path.join(workspaceRoot, manifestFile(project)), `${JSON.stringify(manifest)}\n`);
}

function isUpToDate(workspaceRoot: string, project: string, key: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(path.join(workspaceRoot, manifestFile(project)), 'utf8')) as ParamsManifest;
    return (
      manifest.key === key && Object.entries(manifest.files).every(([file, digest]) => sha1(readFileSync(path.join(workspaceRoot, file), 'utf8')) === digest)
    );
  } catch {
    return false;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
