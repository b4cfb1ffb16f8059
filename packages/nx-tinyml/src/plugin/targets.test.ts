import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executorCode } from './executor-code';
import { normalizeOptions, stageTargets as stageTargetsWithCode, type TinymlPluginOptions } from './targets';

const experiment = { name: 'fall-esp32', root: 'projects/fall-esp32', board: 'esp32-s2', dataset: 'sisfall' };
const code = executorCode(path.resolve(__dirname, '../../../..'));
const stageTargets = (e: typeof experiment, options: Required<TinymlPluginOptions>) => stageTargetsWithCode(e, options, code);
const core = (file: string) => `{workspaceRoot}/packages/core/src/${file}`;
const paramsOf = (stage: string) => ({ fileset: `{workspaceRoot}/.nx/workspace-data/nx-tinyml/fall-esp32/${stage}.params.json`, includeIgnored: true });

describe('stage targets and the sharded search', () => {
  it('has no shard targets by default: `search` follows `window` and takes no options', () => {
    const targets = stageTargets(experiment, normalizeOptions(undefined));
    expect(Object.keys(targets).filter((name) => name.startsWith('search-'))).toEqual([]);
    expect(targets.search).toMatchObject({ executor: 'nx-tinyml:search', dependsOn: ['window'], options: {} });
  });

  it('with searchShards, adds rounds × shards targets chained round after round, and `search` assembles the last round', () => {
    const targets = stageTargets(experiment, normalizeOptions({ searchShards: 3, searchRounds: 2 }));
    const shardNames = Object.keys(targets).filter((name) => name.startsWith('search-'));
    expect(shardNames).toEqual(['search-r0-s0', 'search-r0-s1', 'search-r0-s2', 'search-r1-s0', 'search-r1-s1', 'search-r1-s2']);
    expect(targets['search-r0-s2']).toMatchObject({
      executor: 'nx-tinyml:search-shard',
      dependsOn: ['window'],
      options: { round: 0, shard: 2, shards: 3 },
      cache: true,
    });
    expect(targets['search-r1-s0'].dependsOn).toEqual(['search-r0-s0', 'search-r0-s1', 'search-r0-s2']);
    expect(targets['search-r1-s0'].outputs).toEqual(['{workspaceRoot}/dist/experiments/fall-esp32/search-shards/r1-s0']);
    expect(targets.search).toMatchObject({ dependsOn: ['window', 'search-r1-s0', 'search-r1-s1', 'search-r1-s2'], options: { rounds: 2, shards: 3 } });
    expect(targets['train-cascade'].dependsOn).toEqual(['search']);
  });

  it("keys a shard on the search's params, board, training code and all upstream JSON, not on the search's report code", () => {
    const inputs = stageTargets(experiment, normalizeOptions({ searchShards: 1 }))['search-r1-s0'].inputs!;
    expect(inputs).toContainEqual(paramsOf('search'));
    expect(inputs).toContain('{workspaceRoot}/firmware/boards/esp32-s2/board.yaml');
    expect(inputs).toContain(core('train/trainer.ts'));
    expect(inputs).toContain(core('search/trial-worker.js'));
    expect(inputs).toContain(core('stages/search-shard.ts'));
    expect(inputs).toContain('{workspaceRoot}/packages/nx-tinyml/src/executors/search-shard-batch.ts');
    expect(inputs).not.toContain(core('stages/search.ts'));
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.json', transitive: true });
    expect(stageTargets(experiment, normalizeOptions({ searchShards: 1 })).search.inputs).toContain(core('stages/search.ts'));
  });

  it('has a cached report target that starts no stage and is keyed on the outputs it reads', () => {
    const report = stageTargets(experiment, normalizeOptions(undefined)).report;
    expect(report).toMatchObject({ executor: 'nx-tinyml:report', cache: true, dependsOn: [], outputs: ['{workspaceRoot}/dist/experiments/fall-esp32/report'] });
    expect(report.inputs).toContainEqual({ runtime: 'node node_modules/nx-tinyml/bin/report-inputs.js dist/experiments/fall-esp32' });
    expect(report.inputs).toContain(core('stages/report.ts'));
    expect(report.inputs).toContainEqual({ externalDependencies: expect.arrayContaining(['vega', 'vega-lite']) });
  });

  it('refuses shard counts that are not small non-negative integers', () => {
    expect(() => normalizeOptions({ searchShards: 2.5 })).toThrow(/searchShards must be an integer in \[0, 64\], got 2.5/);
    expect(() => normalizeOptions({ searchRounds: 0 })).toThrow(/searchRounds must be an integer in \[1, 16\], got 0/);
    expect(() => normalizeOptions({ searchShards: '4' as unknown as number })).toThrow(/got "4"/);
  });
});

describe('evaluate targets', () => {
  it('has two fold shards by default and the aggregator after them and train-cascade', () => {
    const targets = stageTargets(experiment, normalizeOptions(undefined));
    expect(targets['evaluate-s0']).toMatchObject({
      executor: 'nx-tinyml:evaluate-shard',
      dependsOn: ['train-cascade'],
      options: { shard: 0, shards: 2 },
      cache: true,
    });
    expect(targets['evaluate-s1'].outputs).toEqual(['{workspaceRoot}/dist/experiments/fall-esp32/evaluate-shards/s1']);
    expect(targets.evaluate).toMatchObject({
      executor: 'nx-tinyml:evaluate',
      dependsOn: ['train-cascade', 'evaluate-s0', 'evaluate-s1'],
      options: { shards: 2 },
    });
    expect(targets.evaluate.outputs).toEqual(['{workspaceRoot}/dist/experiments/fall-esp32/evaluate']);
  });

  it('with evaluateShards 0 the aggregator evaluates every fold itself', () => {
    const targets = stageTargets(experiment, normalizeOptions({ evaluateShards: 0 }));
    expect(Object.keys(targets).filter((name) => name.startsWith('evaluate-'))).toEqual([]);
    expect(targets.evaluate).toMatchObject({ dependsOn: ['train-cascade'], options: { shards: 0 } });
  });

  it("keys the fold shards on the evaluate params and all upstream JSON, not on the aggregator's report code", () => {
    const targets = stageTargets(experiment, normalizeOptions(undefined));
    const inputs = targets['evaluate-s0'].inputs!;
    expect(inputs).toContainEqual(paramsOf('evaluate'));
    expect(inputs).toContain(core('evaluate/run-folds.ts'));
    expect(inputs).toContain(core('train/trainer.ts'));
    expect(inputs).not.toContain(core('stages/evaluate.ts'));
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.json', transitive: true });
    expect(targets.evaluate.inputs).toContain(core('stages/evaluate.ts'));
    expect(() => normalizeOptions({ evaluateShards: -1 })).toThrow(/evaluateShards must be an integer in \[0, 64\], got -1/);
  });
});
