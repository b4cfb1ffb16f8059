import type { TargetConfiguration } from '@nx/devkit';
import { stageContract, type FingerprintedStage } from '@nx-tinyml/core/pipeline/stage-contracts';
import type { TargetCode } from './executor-code';
import { datasetRequestFile, stageParamsFile } from './stage-params-files';

export interface ExperimentIdentity {
  name: string;
  /** Project root, e.g. `projects/fall-esp32`. */
  root: string;
  board: string | null;
  dataset: string | null;
}

/** Command whose output is the window stage's dataset key: which archive, and whether it is intact (core/data/dataset-fingerprint). */
export function datasetFingerprintCommand(project: string): string {
  return `node node_modules/nx-tinyml/bin/dataset-fingerprint.js ${datasetRequestFile(project)}`;
}

/**
 * The inputs every stage target shares: the stage's params file (what it reads from the spec, written by the
 * plugin), the code its executor runs (files and packages, from the import graph), the firmware C it ships, and
 * its dataset and board files.
 */
export function stageInputs(experiment: ExperimentIdentity, stage: FingerprintedStage, code: TargetCode): NonNullable<TargetConfiguration['inputs']> {
  const contract = stageContract(stage);
  const inputs: NonNullable<TargetConfiguration['inputs']> = [
    // includeIgnored: Nx reads the file from disk when it hashes (the plugin data folder is gitignored)
    { fileset: `{workspaceRoot}/${stageParamsFile(experiment.name, stage)}`, includeIgnored: true },
    ...codeInputs(code),
    ...(contract.firmware ?? []).map((glob) => `{workspaceRoot}/firmware/${glob}`),
  ];
  if (contract.dataset) {
    inputs.push({ runtime: datasetFingerprintCommand(experiment.name) });
    if (experiment.dataset) inputs.push(`{workspaceRoot}/tools/datasets/${experiment.dataset}.json`);
  }
  if (contract.board && experiment.board) inputs.push(`{workspaceRoot}/firmware/boards/${experiment.board}/board.yaml`);
  return inputs;
}

/** A target's code as Nx inputs: each file, and the packages' locked versions. */
export function codeInputs(code: TargetCode): NonNullable<TargetConfiguration['inputs']> {
  const inputs: NonNullable<TargetConfiguration['inputs']> = code.files.map((file) => `{workspaceRoot}/${file}`);
  if (code.packages.length > 0) inputs.push({ externalDependencies: [...code.packages] });
  return inputs;
}
