import type { TargetConfiguration } from '@nx/devkit';
import { EVALUATE_CONTRACT } from '@nx-tinyml/core/pipeline/stage-contracts';
import type { TargetCode } from './executor-code';
import { stageInputs, type ExperimentIdentity } from './stage-inputs';

export function evaluateShardTargetName(shard: number): string {
  return `evaluate-s${shard}`;
}

/**
 * `evaluate-s<shard>` for each of `shards` fold shards, and the `evaluate` aggregator after them. How many folds
 * there are depends on the data (the committed sample or the full archive, chosen at run time), which a target
 * definition must not: so the folds are dealt round-robin to a fixed number of shards from the plugin options,
 * and each shard finds its folds when it runs. Each is keyed on the evaluate fingerprint (its own section, the
 * seed, train-cascade, quantize, board), its executor's code and every upstream JSON output transitively (the
 * window manifest, the searched and the trained model); the aggregator's report code is not in the shards' key.
 */
export function evaluateTargets(
  experiment: ExperimentIdentity,
  outputRoot: string,
  shards: number,
  code: { shard: TargetCode; aggregator: TargetCode },
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  const upstream = { dependentTasksOutputFiles: '**/*.json', transitive: true };
  for (let shard = 0; shard < shards; shard++) {
    targets[evaluateShardTargetName(shard)] = {
      executor: 'nx-tinyml:evaluate-shard',
      cache: true,
      inputs: [...stageInputs(experiment, 'evaluate', code.shard), upstream],
      outputs: [`{workspaceRoot}/${outputRoot}/${experiment.name}/evaluate-shards/s${shard}`],
      dependsOn: ['train-cascade'],
      options: { shard, shards },
      metadata: {
        description: `Evaluation folds, shard ${shard + 1} of ${shards}: trains, calibrates, quantises and scores every ${shards}th held-out subject.`,
        technologies: ['nx-tinyml'],
      },
    };
  }
  targets.evaluate = {
    executor: 'nx-tinyml:evaluate',
    cache: true,
    inputs: [...stageInputs(experiment, 'evaluate', code.aggregator), upstream],
    outputs: [`{workspaceRoot}/${outputRoot}/${experiment.name}/evaluate`],
    dependsOn: ['train-cascade', ...Array.from({ length: shards }, (_, shard) => evaluateShardTargetName(shard))],
    options: { shards },
    metadata: { description: EVALUATE_CONTRACT.description, technologies: ['nx-tinyml'] },
  };
  return targets;
}
