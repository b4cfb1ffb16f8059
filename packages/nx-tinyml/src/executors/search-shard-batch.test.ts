import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockStage } from '@nx-tinyml/core/common/stage-lock';
import { defaultWorkspaceRoot } from '@nx-tinyml/core/common/workspace';
import type { runSearchShards } from '@nx-tinyml/core/stages/search-shard';
import { shardTargetName } from '../plugin/search-shard-targets';
import { executorCode } from '../plugin/executor-code';
import { writeStageParams } from '../plugin/stage-params-files';
import { normalizeOptions, stageTargets } from '../plugin/targets';
import { searchShardBatch } from './search-shard-batch';
import type { SearchShardExecutorOptions } from './search-shard';

/**
 * Issue 16 items 4 and 5 on the batched path: Nx runs the search shards through the batch executor, which bypassed
 * runStageExecutor — no lock against a concurrent run of the same shard, and no clearing of its outputs, so a failed
 * round left the last run's results in place. Now every task of a batch is claimed like a single task is.
 */
const PROJECT = 'exp';
const ROUNDS = 2;
const SHARDS = 2;
const experiment = { name: PROJECT, root: `projects/${PROJECT}`, board: 'stm32f446ze', dataset: 'sisfall' };

const code = executorCode(defaultWorkspaceRoot);

let root: string;
beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'nxt-shard-batch-'));
  mkdirSync(path.join(root, 'firmware/boards/stm32f446ze'), { recursive: true });
  copyFileSync(path.join(defaultWorkspaceRoot, 'firmware/boards/stm32f446ze/board.yaml'), path.join(root, 'firmware/boards/stm32f446ze/board.yaml'));
  mkdirSync(path.join(root, experiment.root), { recursive: true });
  writeFileSync(path.join(root, experiment.root, 'experiment.yaml'), `name: ${PROJECT}\nboard: stm32f446ze\ndataset: sisfall\n`);
  // What the plugin writes while Nx infers targets, and the executor checks against the spec.
  await writeStageParams(root, `${experiment.root}/experiment.yaml`, PROJECT, 'test');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const taskId = (round: number, shard: number) => `${PROJECT}:${shardTargetName(round, shard)}`;
const shardOutput = (round: number, shard: number) => path.join(root, 'dist/experiments', PROJECT, 'search-shards', `r${round}-s${shard}`);
const lockDir = (round: number, shard: number) => path.join(root, 'dist/.locks', PROJECT, `${taskId(round, shard)}.lock`);

/** The batch Nx would hand over for `nx run exp:search`: every shard of every round, round k after round k − 1. */
function batch() {
  const targets = stageTargets(experiment, normalizeOptions({ searchShards: SHARDS, searchRounds: ROUNDS }), code);
  const tasks: TaskGraph['tasks'] = {};
  const dependencies: TaskGraph['dependencies'] = {};
  const options: Record<string, SearchShardExecutorOptions> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let shard = 0; shard < SHARDS; shard++) {
      const id = taskId(round, shard);
      tasks[id] = { id, target: { project: PROJECT, target: shardTargetName(round, shard) }, overrides: {}, outputs: [], cache: true };
      dependencies[id] = round === 0 ? [] : Array.from({ length: SHARDS }, (_, s) => ({ id: taskId(round - 1, s) }));
      options[id] = { round, shard, shards: SHARDS };
    }
  }
  const taskGraph: TaskGraph = { roots: Object.keys(tasks).filter((id) => dependencies[id].length === 0), tasks, dependencies, continuousDependencies: {} };
  const context = {
    root,
    cwd: root,
    isVerbose: false,
    projectsConfigurations: { version: 2, projects: { [PROJECT]: { root: experiment.root, targets } } },
    nxJsonConfiguration: {},
  } as unknown as ExecutorContext;
  return { taskGraph, options, context };
}

/** A stand-in for runSearchShards that records what each shard found when it started, then writes its result. */
function recordingRunner() {
  const seen: { round: number; shard: number; staleOutput: boolean; locked: boolean }[] = [];
  const run = ((input: Parameters<typeof runSearchShards>[0]) => {
    for (const shard of input.run) {
      const out = shardOutput(input.round, shard);
      seen.push({ round: input.round, shard, staleOutput: existsSync(out), locked: existsSync(lockDir(input.round, shard)) });
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, 'trials.json'), `{"run":"new"}\n`);
      input.log?.(shard)(`trained round ${input.round} shard ${shard}`);
    }
    return Promise.resolve();
  }) as unknown as typeof runSearchShards;
  return { seen, run };
}

async function runBatch(run: typeof runSearchShards) {
  const { taskGraph, options, context } = batch();
  const results: { task: string; success: boolean; status?: string; terminalOutput: string }[] = [];
  for await (const { task, result } of searchShardBatch(taskGraph, options, {}, context, run)) results.push({ task, ...result });
  return results;
}

function writeStale(round: number, shard: number, text: string) {
  mkdirSync(shardOutput(round, shard), { recursive: true });
  writeFileSync(path.join(shardOutput(round, shard), 'trials.json'), text);
}

describe('the search shards batch executor', () => {
  it("clears each task's outputs and holds its experiment+target lock while the shard runs, then releases it", async () => {
    writeStale(0, 0, '{"run":"old"}\n');
    writeStale(1, 1, '{"run":"old"}\n');
    writeFileSync(path.join(shardOutput(0, 0), 'left-over.json'), '{}\n');
    const { seen, run } = recordingRunner();
    const results = await runBatch(run);
    expect(results.map((r) => [r.task, r.success])).toEqual([
      [taskId(0, 0), true],
      [taskId(0, 1), true],
      [taskId(1, 0), true],
      [taskId(1, 1), true],
    ]);
    // Every shard started with its output folder gone and its lock held.
    expect(seen).toEqual([
      { round: 0, shard: 0, staleOutput: false, locked: true },
      { round: 0, shard: 1, staleOutput: false, locked: true },
      { round: 1, shard: 0, staleOutput: false, locked: true },
      { round: 1, shard: 1, staleOutput: false, locked: true },
    ]);
    expect(existsSync(path.join(shardOutput(0, 0), 'left-over.json'))).toBe(false);
    expect(readFileSync(path.join(shardOutput(1, 1), 'trials.json'), 'utf8')).toBe('{"run":"new"}\n');
    for (let round = 0; round < ROUNDS; round++) for (let shard = 0; shard < SHARDS; shard++) expect(existsSync(lockDir(round, shard))).toBe(false);
    expect(results[0].terminalOutput).toBe('trained round 0 shard 0\n');
  });

  it('refuses a shard another run holds, naming its pid and leaving its outputs alone; the other shards run', async () => {
    writeStale(0, 1, '{"run":"theirs"}\n');
    const held = await lockStage(path.join(root, 'dist/.locks', PROJECT), taskId(0, 1), () => undefined);
    try {
      const { seen, run } = recordingRunner();
      const results = await runBatch(run);
      const byTask = Object.fromEntries(results.map((r) => [r.task, r]));
      expect(byTask[taskId(0, 0)].success).toBe(true);
      expect(byTask[taskId(0, 1)].success).toBe(false);
      expect(byTask[taskId(0, 1)].terminalOutput).toMatch(new RegExp(`^nx-tinyml search: ${taskId(0, 1)} is already running \\(pid ${process.pid}, since `));
      // The next round depends on the refused shard: skipped, never run.
      expect(byTask[taskId(1, 0)].status).toBe('skipped');
      expect(byTask[taskId(1, 1)].status).toBe('skipped');
      expect(seen.map((s) => [s.round, s.shard])).toEqual([[0, 0]]);
      expect(readFileSync(path.join(shardOutput(0, 1), 'trials.json'), 'utf8')).toBe('{"run":"theirs"}\n');
      expect(existsSync(lockDir(0, 0))).toBe(false);
      expect(existsSync(lockDir(0, 1))).toBe(true);
    } finally {
      await held();
    }
  });

  it('clears the outputs before a failing round, so no earlier result survives beside the error', async () => {
    writeStale(0, 0, '{"run":"old"}\n');
    writeStale(0, 1, '{"run":"old"}\n');
    const failing = (async () => {
      const { UserError } = await import('@nx-tinyml/core/common/errors');
      throw new UserError('the window store is corrupt');
    }) as unknown as typeof runSearchShards;
    const results = await runBatch(failing);
    expect(results.filter((r) => r.success)).toEqual([]);
    expect(results.find((r) => r.task === taskId(0, 0))?.terminalOutput).toBe('nx-tinyml search: the window store is corrupt\n');
    expect(existsSync(shardOutput(0, 0))).toBe(false);
    expect(existsSync(shardOutput(0, 1))).toBe(false);
    expect(existsSync(lockDir(0, 0))).toBe(false);
  });
});
