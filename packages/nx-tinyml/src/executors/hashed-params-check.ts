import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalJson } from '@nx-tinyml/core/common/canonical-json';
import { stageParams } from '@nx-tinyml/core/spec/stage-params';
import type { NormalizedSpec } from '@nx-tinyml/core/spec/types';
import { stageContract, type FingerprintedStage } from '@nx-tinyml/core/pipeline/stage-contracts';
import { datasetRequestFile, stageParamsFile } from '../plugin/stage-params-files';

/**
 * Null when the params file Nx hashed for this task (and, for a stage reading a dataset, the dataset request) is
 * that of `spec` as the executor loaded it; else what differs. They differ only when the spec changed between
 * hashing and running, or when the files were written by other code (an Nx daemon still running an older
 * nx-tinyml): results produced then must not be cached under that key.
 */
export function hashedParamsMismatch(workspaceRoot: string, project: string, stage: FingerprintedStage, spec: NormalizedSpec): string | null {
  const expected: [string, string][] = [[stageParamsFile(project, stage), `${canonicalJson(stageParams(spec, stage))}\n`]];
  if (stageContract(stage).dataset) expected.push([datasetRequestFile(project), `${JSON.stringify(spec.dataset)}\n`]);
  for (const [file, text] of expected) {
    let hashed: string | null = null;
    try {
      hashed = readFileSync(path.join(workspaceRoot, file), 'utf8');
    } catch {
      // absent: a mismatch
    }
    if (hashed !== text) return hashed === null ? `${file} is missing` : `${file} is not what ${path.relative(workspaceRoot, spec.file)} says now`;
  }
  return null;
}
