import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import { stageContract, type FingerprintedStage, type StageParam } from '../pipeline/stage-contracts';
import type { NormalizedDataset, NormalizedSpec } from './types';
import { parseSpec } from './load';

/**
 * What a stage's result depends on inside the spec: the normalized sections it reads (defaults filled, so writing
 * a default out changes nothing). Comments, formatting and other sections do not appear, so editing them keeps the
 * stage's cache entry. A pure function of the spec, the board.yaml and the dataset registry it names: the Nx plugin
 * computes it while inferring targets and Nx hashes it as a file.
 */
export function stageParams(spec: NormalizedSpec, stage: FingerprintedStage): Record<string, unknown> {
  const params: Record<string, unknown> = { stage, experiment: spec.name };
  for (const key of stageContract(stage).params) params[key] = paramValue(spec, key);
  return params;
}

/** A top-level section's value, or one key's inside it (`evaluate.postProcessing`). */
function paramValue(spec: NormalizedSpec, param: StageParam): unknown {
  const [section, key] = param.split('.') as [keyof NormalizedSpec, string | undefined];
  const value = spec[section];
  return key === undefined ? value : (value as unknown as Record<string, unknown>)[key];
}

/**
 * Every stage's params text, from the spec's text, and the dataset the window stage is asked for. An invalid spec still gets stable texts (the digest of the
 * spec and the error), so the task runs and the executor reports the spec's errors instead of Nx failing while
 * hashing.
 */
export function stageParamsTexts(
  specText: string,
  specFile: string,
  stages: readonly FingerprintedStage[],
  workspaceRoot: string,
): { texts: Record<string, string>; dataset: NormalizedDataset | null } {
  try {
    const spec = parseSpec(specText, specFile, { workspaceRoot });
    const texts = Object.fromEntries(stages.map((stage) => [stage, canonicalJson(stageParams(spec, stage))]));
    return { texts, dataset: spec.dataset };
  } catch (error) {
    const invalidSpec = createHash('sha256').update(specText).digest('hex');
    const texts = Object.fromEntries(stages.map((stage) => [stage, canonicalJson({ stage, invalidSpec, error: (error as Error).message })]));
    return { texts, dataset: null };
  }
}
