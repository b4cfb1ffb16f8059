import type { TargetConfiguration } from '@nx/devkit';
import { STAGE_CONTRACTS, STAGES, previousStage } from '@nx-tinyml/core/pipeline/stage-contracts';
import { evaluateTargets } from './evaluate-targets';
import type { ExecutorCode, TargetCode } from './executor-code';
import { reportTarget } from './report-target';
import { searchShardTargets, shardTargetName, type SearchShardOptions } from './search-shard-targets';
import { stageInputs, type ExperimentIdentity } from './stage-inputs';

export type { ExperimentIdentity } from './stage-inputs';

export interface TinymlPluginOptions {
  /** Folder (relative to the workspace) that receives `<experiment>/<stage>/`; default `dist/experiments`. */
  outputRoot?: string;
  /**
   * Shard targets per search round (`search-r<round>-s<shard>`); 0, the default, runs the search in the one
   * `search` task on worker threads. Set in nx.json, never from a spec: target definitions must not depend on it.
   */
  searchShards?: number;
  /** Rounds of shard targets (default 4); what a search needs beyond them is trained by `search` itself. */
  searchRounds?: number;
  /**
   * Fold shard targets of the evaluation (`evaluate-s<shard>`, default 2: one per core); folds are dealt to them
   * round-robin. 0 evaluates every fold in the one `evaluate` task.
   */
  evaluateShards?: number;
}

/** Where stage outputs go unless nx.json sets the plugin's `outputRoot`. */
export const DEFAULT_OUTPUT_ROOT = 'dist/experiments';

export function normalizeOptions(options: TinymlPluginOptions | undefined): Required<TinymlPluginOptions> {
  const count = (key: 'searchShards' | 'searchRounds' | 'evaluateShards', fallback: number, min: number, max: number): number => {
    const value = options?.[key] ?? fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`nx-tinyml plugin options: ${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return {
    outputRoot: (options?.outputRoot ?? DEFAULT_OUTPUT_ROOT).replace(/\/+$/, ''),
    searchShards: count('searchShards', 0, 0, 64),
    searchRounds: count('searchRounds', 4, 1, 16),
    evaluateShards: count('evaluateShards', 2, 0, 64),
  };
}

/**
 * One target per stage, plus the search's shard targets when `searchShards` is set. Everything but the inputs
 * derives from the experiment's folder, name, board and dataset ids and the plugin options only, never from the
 * stage settings: Nx hashes the whole project configuration except the inputs into every task, so stage settings
 * reach the cache key through each target's own params file input instead. `code` is each executor's code.
 */
export function stageTargets(experiment: ExperimentIdentity, options: Required<TinymlPluginOptions>, code: ExecutorCode): Record<string, TargetConfiguration> {
  const codeOf = (executor: string): TargetCode => {
    const found = code[executor];
    if (found === undefined) throw new Error(`nx-tinyml: no executor "${executor}" in executors.json`);
    return found;
  };
  const targets: Record<string, TargetConfiguration> = {};
  for (const stage of STAGES) {
    const contract = STAGE_CONTRACTS[stage];
    const previous = previousStage(stage);
    const inputs = stageInputs(experiment, stage, codeOf(stage));
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
  targets.report = reportTarget(experiment, options.outputRoot, codeOf('report'));
  if (options.searchShards > 0) {
    const shards: SearchShardOptions = { rounds: options.searchRounds, shards: options.searchShards };
    Object.assign(targets, searchShardTargets(experiment, options.outputRoot, shards, codeOf('search-shard')));
    const lastRound = Array.from({ length: shards.shards }, (_, shard) => shardTargetName(shards.rounds - 1, shard));
    targets.search = {
      ...targets.search,
      dependsOn: ['window', ...lastRound],
      options: shards,
      metadata: {
        ...targets.search.metadata,
        description: `${STAGE_CONTRACTS.search.description} Sharded: replays the trials of the search-r<round>-s<shard> targets and trains only what they did not cover.`,
      },
    };
  }
  Object.assign(
    targets,
    evaluateTargets(experiment, options.outputRoot, options.evaluateShards, { shard: codeOf('evaluate-shard'), aggregator: codeOf('evaluate') }),
  );
  return targets;
}
