import type { TargetConfiguration } from '@nx/devkit';
import { STAGE_CONTRACTS, STAGES, previousStage, type StageName } from '@nx-tinyml/core/stages/pipeline';

export interface TinymlPluginOptions {
  /** Folder (relative to the workspace) that receives `<experiment>/<stage>/`; default `dist/experiments`. */
  outputRoot?: string;
}

export interface ExperimentIdentity {
  name: string;
  /** Project root, e.g. `projects/fall-esp32`. */
  root: string;
  board: string | null;
  dataset: string | null;
}

export function normalizeOptions(options: TinymlPluginOptions | undefined): Required<TinymlPluginOptions> {
  return { outputRoot: (options?.outputRoot ?? 'dist/experiments').replace(/\/+$/, '') };
}

/** Command whose output is the stage's cache key part that comes from the spec (see core/spec/fingerprint). */
export function fingerprintCommand(specPath: string, stage: StageName): string {
  return `node node_modules/nx-tinyml/bin/stage-fingerprint.js ${specPath} ${stage}`;
}

/**
 * One target per stage. Everything here derives from the experiment's folder, name, board and dataset ids only,
 * never from the stage settings: Nx hashes the whole project configuration into every task, so stage settings
 * reach the cache key through each target's own `runtime` input instead.
 */
export function stageTargets(experiment: ExperimentIdentity, options: Required<TinymlPluginOptions>): Record<StageName, TargetConfiguration> {
  const specPath = `${experiment.root}/experiment.yaml`;
  const targets = {} as Record<StageName, TargetConfiguration>;
  for (const stage of STAGES) {
    const contract = STAGE_CONTRACTS[stage];
    const previous = previousStage(stage);
    const inputs: TargetConfiguration['inputs'] = [
      { runtime: fingerprintCommand(specPath, stage) },
      ...contract.code.map((glob) => `{workspaceRoot}/packages/core/src/${glob}`),
      ...(contract.firmware ?? []).map((glob) => `{workspaceRoot}/firmware/${glob}`),
      '!{workspaceRoot}/packages/core/src/**/*.test.ts',
      { externalDependencies: ['yaml', 'ajv'] },
    ];
    if (contract.dataset && experiment.dataset) inputs.push(`{workspaceRoot}/tools/datasets/${experiment.dataset}.json`);
    if (contract.board && experiment.board) inputs.push(`{workspaceRoot}/firmware/boards/${experiment.board}/board.yaml`);
    if (previous) inputs.push({ dependentTasksOutputFiles: '**/*.json', transitive: false });
    targets[stage] = {
      executor: `nx-tinyml:${stage}`,
      cache: true,
      inputs,
      outputs: [`{workspaceRoot}/${options.outputRoot}/${experiment.name}/${stage}`],
      dependsOn: previous ? [previous] : [],
      options: {},
      metadata: {
        description: contract.implemented ? contract.description : `${contract.description} (not implemented yet)`,
        technologies: ['nx-tinyml'],
      },
    };
  }
  return targets;
}
