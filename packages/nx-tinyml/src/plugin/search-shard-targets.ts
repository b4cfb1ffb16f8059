import type { TargetConfiguration } from '@nx/devkit';
import type { TargetCode } from './executor-code';
import { stageInputs, type ExperimentIdentity } from './stage-inputs';

/** The sharded search's shape, from the plugin options (never from the spec). */
export interface SearchShardOptions {
  rounds: number;
  shards: number;
}

export function shardTargetName(round: number, shard: number): string {
  return `search-r${round}-s${shard}`;
}

/**
 * `search-r<round>-s<shard>` for every round and shard: round 0 after `window`, each later round after every shard
 * of the round before. A shard's cache key is the search's params and board, the shard executor's code (`code`:
 * the training, not stages/search.ts, which assembles and reports) plus every JSON output upstream, transitively —
 * the window manifest and all earlier rounds' results, which are exactly what decides the trials it trains.
 */
export function searchShardTargets(
  experiment: ExperimentIdentity,
  outputRoot: string,
  options: SearchShardOptions,
  code: TargetCode,
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  for (let round = 0; round < options.rounds; round++) {
    const previousRound = Array.from({ length: options.shards }, (_, shard) => shardTargetName(round - 1, shard));
    for (let shard = 0; shard < options.shards; shard++) {
      targets[shardTargetName(round, shard)] = {
        executor: 'nx-tinyml:search-shard',
        cache: true,
        inputs: [...stageInputs(experiment, 'search', code), { dependentTasksOutputFiles: '**/*.json', transitive: true }],
        outputs: [`{workspaceRoot}/${outputRoot}/${experiment.name}/search-shards/r${round}-s${shard}`],
        dependsOn: round === 0 ? ['window'] : previousRound,
        options: { round, shard, shards: options.shards },
        metadata: {
          description: `Search round ${round}, shard ${shard + 1} of ${options.shards}: trains every ${options.shards}th of the trials the search needs once the earlier rounds are known.`,
          technologies: ['nx-tinyml'],
        },
      };
    }
  }
  return targets;
}
