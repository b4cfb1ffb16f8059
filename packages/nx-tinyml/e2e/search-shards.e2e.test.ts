import { existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRemoteCache, type RemoteCache } from './support/remote-cache';
import { TempWorkspace } from './temp-workspace';

/**
 * The search as per-round shard targets (plugin option `searchShards`), through the real nx CLI: batched in one
 * process, byte-identical to the one-task search, cached per shard, and shared between two workspaces ("machines")
 * through Nx's self-hosted remote cache protocol, served here by a tiny in-test HTTP server. Tests run in order.
 */
const dataDir = path.resolve(__dirname, '../../../.data/datasets');
const OUTPUTS = ['trials.json', 'pareto.json', 'best-model.json', 'baselines.json', 'summary.md'];
const SHARDS = 2;
const ROUNDS = 3;
const SHARD_TARGETS = Array.from({ length: ROUNDS * SHARDS }, (_, i) => `search-r${Math.floor(i / SHARDS)}-s${i % SHARDS}`);
const TASKS = 2 + SHARD_TARGETS.length; // window, the shards, search

let cache: RemoteCache;
let first: TempWorkspace;
let reference: Record<string, string>;

/** 4 candidates → rungs 4 → 1, then the unweighted ablation: one round each. */
function tinySearch(ws: TempWorkspace): void {
  ws.edit('projects/fall-esp32/experiment.yaml', (t) =>
    t.replace(
      /search:\n(  .*\n)+/,
      'search:\n  space: cnn1d\n  strategy: successive-halving\n  trials: 4\n  epochs: 2\n  maxTrainWindows: 1000\n  maxValidationWindows: 1000\n  workers: 2\n' +
        '  baselines:\n    twoStage: false\n    unweighted: true\n',
    ),
  );
  ws.commit('tiny search');
}

function enableShards(ws: TempWorkspace): void {
  ws.edit('nx.json', (t) =>
    t.replace(
      '"plugins": ["./packages/nx-tinyml"]',
      `"plugins": [{ "plugin": "./packages/nx-tinyml", "options": { "searchShards": ${SHARDS}, "searchRounds": ${ROUNDS} } }]`,
    ),
  );
  ws.commit('sharded search');
}

const outputs = (ws: TempWorkspace) => Object.fromEntries(OUTPUTS.map((file) => [file, ws.read(`dist/experiments/fall-esp32/search/${file}`)]));
const runLog = (ws: TempWorkspace) =>
  ws
    .read('dist/experiments/fall-esp32/search/run-log.jsonl')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { key: string; resumed: boolean });
const fromCache = (output: string, hits: number) => new RegExp(`from the cache instead of running the command for ${hits} out of ${TASKS} tasks`).test(output);
const journals = (ws: TempWorkspace) => {
  const dir = path.join(ws.root, 'dist/.journals/fall-esp32');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

beforeAll(async () => {
  cache = await startRemoteCache();
  first = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url });
  tinySearch(first);
});

afterAll(async () => {
  first?.dispose();
  await cache?.close();
});

describe('search shards through nx', { timeout: 180_000 }, () => {
  it('by default the search is the one `search` task, as before', async () => {
    const { output } = await first.nx('show', 'project', 'fall-esp32', '--json');
    const targets = JSON.parse(output.slice(output.indexOf('{'))).targets;
    expect(Object.keys(targets).filter((name) => name.startsWith('search-'))).toEqual([]);
    expect(targets.search.dependsOn).toEqual(['window']);

    const started = Date.now();
    const run = await first.nx('run', 'fall-esp32:search');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).not.toMatch(/nx-tinyml:search-shard/);
    reference = outputs(first);
    console.log(`unsharded search (window + search): ${seconds(started)} s`);
  }, 240_000);

  it('`searchShards` in nx.json adds search-r<round>-s<shard> targets, each round after the one before, and `search` after the last', async () => {
    enableShards(first);
    const { output } = await first.nx('show', 'project', 'fall-esp32', '--json');
    const targets = JSON.parse(output.slice(output.indexOf('{'))).targets;
    expect(
      Object.keys(targets)
        .filter((name) => name.startsWith('search-'))
        .sort(),
    ).toEqual([...SHARD_TARGETS].sort());
    expect(targets['search-r0-s1'].dependsOn).toEqual(['window']);
    expect(targets['search-r2-s0'].dependsOn).toEqual(['search-r1-s0', 'search-r1-s1']);
    expect(targets['search-r1-s1'].outputs).toEqual(['{workspaceRoot}/dist/experiments/fall-esp32/search-shards/r1-s1']);
    expect(targets['search-r1-s1'].options).toEqual({ round: 1, shard: 1, shards: SHARDS });
    expect(targets.search.dependsOn).toEqual(['window', 'search-r2-s0', 'search-r2-s1']);
    expect(targets['search-r0-s0'].cache).toBe(true);
  });

  it('`nx run fall-esp32:search --batch` runs every shard in one process and writes the one-task outputs byte for byte; `search` trains nothing', async () => {
    rmSync(path.join(first.root, 'dist'), { recursive: true, force: true });
    const started = Date.now();
    const run = await first.nx('run', 'fall-esp32:search', '--batch');
    expect(run.exitCode, run.output).toBe(0);
    console.log(`sharded search, batched (window + ${SHARD_TARGETS.length} shards + search): ${seconds(started)} s`);
    expect(run.output).toMatch(new RegExp(`Running ${SHARD_TARGETS.length} tasks with nx-tinyml:search-shard`));
    expect(run.output).toMatch(/search: round 2: 1 trial pending given 5 known/);
    expect(outputs(first)).toEqual(reference);
    // every trial of the assembled search came from a shard; its own journal holds only its header
    expect(runLog(first).length).toBe(6);
    expect(runLog(first).every((trial) => trial.resumed)).toBe(true);
    const own = journals(first).filter((file) => !/\.r\d+-s\d+\.jsonl$/.test(file));
    expect(own).toHaveLength(1);
    expect(first.read(`dist/.journals/fall-esp32/${own[0]}`).trim().split('\n')).toHaveLength(1);
  }, 240_000);

  it('editing `quantize:` changes the hash of no shard and not of `search`', async () => {
    const targets = [...SHARD_TARGETS, 'search', 'quantize'];
    const before = await first.taskHashes('fall-esp32', targets);
    first.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('calibration: minmax', 'calibration: percentile'));
    const after = await first.taskHashes('fall-esp32', targets);
    first.git('checkout', '--', 'projects/fall-esp32/experiment.yaml');
    expect(after['fall-esp32:quantize']).not.toBe(before['fall-esp32:quantize']);
    for (const target of [...SHARD_TARGETS, 'search']) expect(after[`fall-esp32:${target}`], target).toBe(before[`fall-esp32:${target}`]);
  }, 120_000);

  it('after deleting dist/, the rerun restores every shard and the search from the cache and trains nothing', async () => {
    rmSync(path.join(first.root, 'dist'), { recursive: true, force: true });
    const started = Date.now();
    const run = await first.nx('run', 'fall-esp32:search');
    expect(run.exitCode, run.output).toBe(0);
    console.log(`cache restore of everything: ${seconds(started)} s`);
    expect(fromCache(run.output, TASKS), run.output).toBe(true);
    expect(outputs(first)).toEqual(reference);
    expect(journals(first)).toEqual([]);
  }, 120_000);

  it('a second machine on the same remote cache restores the shards, and a report-code change reruns only `search`, which replays every trial', async () => {
    const second = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url });
    try {
      tinySearch(second);
      enableShards(second);
      const hitsBefore = cache.hits();
      const restored = await second.nx('run', 'fall-esp32:search');
      expect(restored.exitCode, restored.output).toBe(0);
      expect(fromCache(restored.output, TASKS), restored.output).toBe(true);
      expect(cache.hits() - hitsBefore).toBe(TASKS);
      expect(outputs(second)).toEqual(reference);
      // the shards' cache keys do not depend on where the workspace is
      expect(await second.taskHashes('fall-esp32', SHARD_TARGETS)).toEqual(await first.taskHashes('fall-esp32', SHARD_TARGETS));

      second.edit('packages/core/src/stages/search.ts', (t) => `${t}\n// a change to how the search is assembled and reported\n`);
      rmSync(path.join(second.root, 'dist'), { recursive: true, force: true });
      const reassembled = await second.nx('run', 'fall-esp32:search');
      expect(reassembled.exitCode, reassembled.output).toBe(0);
      expect(fromCache(reassembled.output, TASKS - 1), reassembled.output).toBe(true);
      expect(outputs(second)).toEqual(reference);
      expect(runLog(second).every((trial) => trial.resumed)).toBe(true);
      expect(journals(second).filter((file) => /\.r\d+-s\d+\.jsonl$/.test(file))).toEqual([]);
    } finally {
      second.dispose();
    }
  }, 240_000);
});
