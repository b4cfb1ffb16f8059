import type { TargetConfiguration } from '@nx/devkit';
import { stageContract, type FingerprintedStage } from '@nx-tinyml/core/stages/pipeline';
import type { TargetCode } from './executor-code';

export interface ExperimentIdentity {
  name: string;
  /** Project root, e.g. `projects/fall-esp32`. */
  root: string;
  board: string | null;
  dataset: string | null;
}

/** Command whose output is the stage's cache key part that comes from the spec (see core/spec/fingerprint). */
export function fingerprintCommand(specPath: string, stage: FingerprintedStage): string {
  return `node node_modules/nx-tinyml/bin/stage-fingerprint.js ${specPath} ${stage}`;
}

/**
 * The inputs every stage target shares: its spec fingerprint, the code its executor runs (files and packages, from
 * the import graph), the firmware C it ships, and its dataset and board files.
 */
export function stageInputs(experiment: ExperimentIdentity, stage: FingerprintedStage, code: TargetCode): NonNullable<TargetConfiguration['inputs']> {
  const contract = stageContract(stage);
  const inputs: NonNullable<TargetConfiguration['inputs']> = [
    { runtime: fingerprintCommand(`${experiment.root}/experiment.yaml`, stage) },
    ...codeInputs(code),
    ...(contract.firmware ?? []).map((glob) => `{workspaceRoot}/firmware/${glob}`),
  ];
  if (contract.dataset && experiment.dataset) inputs.push(`{workspaceRoot}/tools/datasets/${experiment.dataset}.json`);
  if (contract.board && experiment.board) inputs.push(`{workspaceRoot}/firmware/boards/${experiment.board}/board.yaml`);
  return inputs;
}

/** A target's code as Nx inputs: each file, and the packages' locked versions. */
export function codeInputs(code: TargetCode): NonNullable<TargetConfiguration['inputs']> {
  const inputs: NonNullable<TargetConfiguration['inputs']> = code.files.map((file) => `{workspaceRoot}/${file}`);
  if (code.packages.length > 0) inputs.push({ externalDependencies: [...code.packages] });
  return inputs;
}
