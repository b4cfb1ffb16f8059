import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { planSearch } from '../search/program';
import { readShardResults } from '../search/shard-results';
import { parseSpec } from '../spec/load';
import { runSearchStage } from './search';
import { runSearchShards } from './search-shard';
import { windowSample } from '../../testing/sample-pipeline';

/**
 * The search split into rounds of shards (what the `search-r<round>-s<shard>` targets run), on the SisFall sample:
 * successive halving over 4 candidates (rungs 4 → 1) with both MicroNAS baselines, on a budget tight enough that the
 * two-stage winner has to be pruned — so the rounds are: every rung-0 trial, the promoted ones, the ablation and
 * the fine-tune.
 */
const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-shards-'));
const windowDir = path.join(scratch, 'window');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const specYaml =
  'name: shard-test\nboard: stm32f446ze\ndataset: sisfall\nseed: 7\nsearch:\n  strategy: successive-halving\n  trials: 4\n  epochs: 2\n' +
  '  maxTrainWindows: 1200\n  maxValidationWindows: 1200\n  validationSubjects: 1\n  budget:\n    sramBytes: 6500\n  baselines:\n    twoStage: true\n    unweighted: true\n';
const spec = parseSpec(specYaml, 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot });
const setup = (name: string, workers = 2) => ({
  search: { ...spec.search, workers },
  precision: spec.train.precision,
  seed: spec.seed,
  board: spec.boardDefinition,
  windowDir,
  journalDir: path.join(scratch, name, 'journal'),
});
const OUTPUTS = ['trials.json', 'pareto.json', 'best-model.json', 'baselines.json', 'summary.md'];

async function searchStage(name: string, shardResults?: { dir: string; rounds: number; shards: number }) {
  const outDir = path.join(scratch, name, 'search');
  const lines: string[] = [];
  await runSearchStage({ experiment: spec.name, ...setup(name), outDir, shardResults, log: (line) => lines.push(line) });
  const runLog = readFileSync(path.join(outDir, 'run-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { key: string; resumed: boolean });
  return { outDir, lines, runLog, file: (f: string) => readFileSync(path.join(outDir, f)) };
}

async function shardRounds(name: string, rounds: number, shards: number) {
  const resultsDir = path.join(scratch, name, 'shards');
  const summaries = [];
  for (let round = 0; round < rounds; round++) {
    summaries.push(await runSearchShards({ ...setup(name), resultsDir, round, shards, run: Array.from({ length: shards }, (_, s) => s) }));
  }
  const trialsOf = (round: number, shard: number) =>
    JSON.parse(readFileSync(path.join(resultsDir, `r${round}-s${shard}`, 'trials.json'), 'utf8')).trials as { contentKey: string; outcome: { key: string } }[];
  return { resultsDir, summaries, trialsOf };
}

let inProcess: Awaited<ReturnType<typeof searchStage>>;
let sharded: Awaited<ReturnType<typeof shardRounds>>;

beforeAll(async () => {
  await windowSample(spec, windowDir);
  inProcess = await searchStage('in-process');
  sharded = await shardRounds('sharded', 4, 2);
});

describe('sharded search rounds', () => {
  it('round k trains what rounds 0..k−1 decided: rung 0 of both searches, then the promoted, then the ablation and fine-tune, then nothing', () => {
    const labels = (round: number) => [...sharded.trialsOf(round, 0), ...sharded.trialsOf(round, 1)].map((t) => t.outcome.key).sort();
    const trials = JSON.parse(inProcess.file('trials.json').toString());
    const baselines = JSON.parse(inProcess.file('baselines.json').toString());
    expect(baselines.twoStage.pruned).not.toBeNull(); // the spec exercises the fine-tune
    // rung 0 of the constrained search and of the unconstrained one; a candidate both draw identically is trained once
    const rung0 = labels(0);
    expect(rung0.filter((k) => !k.startsWith('two-stage/')).sort()).toEqual(trials.candidates.map((c: { id: string }) => `${c.id}@r0`));
    expect(rung0.filter((k) => k.startsWith('two-stage/')).length).toBeGreaterThan(0);
    const shard1 = new Set(sharded.trialsOf(0, 1).map((t) => t.contentKey));
    expect(sharded.trialsOf(0, 0).filter((t) => shard1.has(t.contentKey))).toEqual([]);
    const promoted = trials.trials.filter((t: { rung: number }) => t.rung === 1).map((t: { candidate: string }) => `${t.candidate}@r1`);
    expect(labels(1)).toEqual(
      [
        ...promoted,
        ...baselines.twoStage.trials.filter((t: { rung: number }) => t.rung === 1).map((t: { candidate: string }) => `two-stage/${t.candidate}@r1`),
      ].sort(),
    );
    expect(labels(2)).toEqual(['two-stage/pruned-finetune', `unweighted/${baselines.constrained.candidate}`]);
    expect(labels(3)).toEqual([]);
    // each round's pending trials are dealt out between the shards
    expect(sharded.summaries[0].map((s) => s.trials)).toEqual([Math.ceil(rung0.length / 2), Math.floor(rung0.length / 2)]);
  });

  it('the search stage given the shard results trains nothing and writes the same bytes as the in-process search', async () => {
    const assembled = await searchStage('sharded', { dir: sharded.resultsDir, rounds: 4, shards: 2 });
    for (const file of OUTPUTS) expect(assembled.file(file).equals(inProcess.file(file)), file).toBe(true);
    expect(assembled.runLog.length).toBe(inProcess.runLog.length);
    expect(assembled.runLog.every((t) => t.resumed)).toBe(true);
    expect(assembled.lines.some((line) => /not covered by the shard targets/.test(line))).toBe(false);
  });

  it('with fewer rounds than the search needs, the stage trains the rest itself and the result is the same', async () => {
    const assembled = await searchStage('short', { dir: sharded.resultsDir, rounds: 1, shards: 2 });
    for (const file of OUTPUTS) expect(assembled.file(file).equals(inProcess.file(file)), file).toBe(true);
    const trainedHere = assembled.runLog
      .filter((t) => !t.resumed)
      .map((t) => t.key)
      .sort();
    expect(trainedHere.length).toBeGreaterThan(0);
    expect(trainedHere.every((key) => !key.endsWith('@r0'))).toBe(true);
    expect(assembled.lines.join('\n')).toMatch(new RegExp(`${trainedHere.length} trials? w(as|ere) not covered by the shard targets`));
  });

  it('ignores shard results of another search configuration', async () => {
    const lines: string[] = [];
    const other = await readShardResults(sharded.resultsDir, 'another-configuration', [0, 1], 2, (line) => lines.push(line));
    expect(other.size).toBe(0);
    expect(lines.join('\n')).toMatch(/ignoring .*r0-s0: written by a search with other settings/);
    const own = await readShardResults(sharded.resultsDir, (await planSearch(setup('sharded'))).configuration, [0, 1], 2, () => undefined);
    expect(own.size).toBe(
      sharded.summaries
        .slice(0, 2)
        .flat()
        .reduce((n, s) => n + s.trials, 0),
    );
  });

  it('a shard killed with kill -9 keeps its finished trials: the rerun trains only the rest and writes the same results', async () => {
    const name = 'killed';
    const journalDir = path.join(scratch, name, 'journal');
    const journalLines = () => {
      const files = existsSync(journalDir) ? readdirSync(journalDir) : [];
      return files.length ? readFileSync(path.join(journalDir, files[0]), 'utf8').split('\n').filter(Boolean).length : 0;
    };
    const script = path.join(scratch, 'run-shard.ts');
    writeFileSync(
      script,
      `import { parseSpec } from '${path.join(__dirname, '../spec/load')}';
       import { runSearchShards } from '${path.join(__dirname, 'search-shard')}';
       const spec = parseSpec(${JSON.stringify(specYaml)}, 'experiment.yaml', { workspaceRoot: ${JSON.stringify(defaultWorkspaceRoot)} });
       runSearchShards({ search: { ...spec.search, workers: 1 }, precision: spec.train.precision, seed: spec.seed, board: spec.boardDefinition, windowDir: ${JSON.stringify(windowDir)},
         journalDir: ${JSON.stringify(journalDir)}, resultsDir: ${JSON.stringify(path.join(scratch, name, 'shards'))}, round: 0, shards: 2, run: [0],
         log: () => (l) => console.log(l) });`,
    );
    // kill once one trial is journaled (line 1 is the header)
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', script], { cwd: defaultWorkspaceRoot });
      child.stdout.on('data', () => {
        if (journalLines() >= 2) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    const journaled = journalLines() - 1;
    const slice = sharded.summaries[0][0].trials;
    expect(journaled).toBeGreaterThanOrEqual(1);
    expect(journaled).toBeLessThan(slice);
    expect(existsSync(path.join(scratch, name, 'shards', 'r0-s0'))).toBe(false);

    const [rerun] = await runSearchShards({ ...setup(name), resultsDir: path.join(scratch, name, 'shards'), round: 0, shards: 2, run: [0] });
    expect(rerun).toEqual({ shard: 0, trials: slice, trained: slice - journaled });
    const results = (dir: string) => readFileSync(path.join(dir, 'r0-s0', 'trials.json'));
    expect(results(path.join(scratch, name, 'shards')).equals(results(sharded.resultsDir))).toBe(true);
  });
});
