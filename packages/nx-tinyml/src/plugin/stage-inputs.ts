import type { TargetConfiguration } from '@nx/devkit';
import { stageContract, type FingerprintedStage } from '@nx-tinyml/core/stages/pipeline';

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

/** The inputs every stage target shares: its spec fingerprint, its library code, its dataset and board files. */
export function stageInputs(experiment: ExperimentIdentity, stage: FingerprintedStage, code: readonly string[]): NonNullable<TargetConfiguration['inputs']> {
  const contract = stageContract(stage);
  const inputs: NonNullable<TargetConfiguration['inputs']> = [
    { runtime: fingerprintCommand(`${experiment.root}/experiment.yaml`, stage) },
    ...code.map((glob) => `{workspaceRoot}/packages/core/src/${glob}`),
    ...(contract.firmware ?? []).map((glob) => `{workspaceRoot}/firmware/${glob}`),
    '!{workspaceRoot}/packages/core/src/**/*.test.ts',
    { externalDependencies: ['yaml', 'ajv'] },
  ];
  if (contract.dataset && experiment.dataset) inputs.push(`{workspaceRoot}/tools/datasets/${experiment.dataset}.json`);
  if (contract.board && experiment.board) inputs.push(`{workspaceRoot}/firmware/boards/${experiment.board}/board.yaml`);
  return inputs;
}
