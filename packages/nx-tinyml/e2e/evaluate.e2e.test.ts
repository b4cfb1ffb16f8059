import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempWorkspace } from './temp-workspace';

/**
 * `nx run fall-esp32:evaluate` through the real nx CLI on the committed SisFall sample (4 subjects, so 4 folds;
 * SE01 has no fall trials), with a tiny search, train-cascade and evaluate profile. Tests run in order.
 */
const dataDir = path.resolve(__dirname, '../../../.data/datasets');
const EVALUATE_TARGETS = ['evaluate-s0', 'evaluate-s1', 'evaluate'];
const UPSTREAM = ['window', 'search', 'train-cascade', 'quantize', 'flash-test'];

let ws: TempWorkspace;

function tinySpec(w: TempWorkspace): void {
  w.edit('projects/fall-esp32/experiment.yaml', (t) =>
    t
      .replace(
        /search:\n(  .*\n)+/,
        'search:\n  strategy: random\n  trials: 1\n  epochs: 1\n  maxTrainWindows: 1000\n  maxValidationWindows: 600\n  workers: 1\n  baselines: { twoStage: false, unweighted: false }\n',
      )
      .replace(
        /train-cascade:\n(  .*\n)+/,
        'train-cascade:\n  exits: 3\n  events: [fall]\n  epochs: 1\n  maxTrainWindows: 1000\n  maxValidationWindows: 600\n  workers: 1\n' +
          '  baselines: { softmax: false, ensemble: false, tta: false, evidential: false }\n  robustness: { noise: [1], missing: [1], maxWindows: 100 }\n',
      )
      .replace(/\nevaluate:\n( {2}.*\n)+/, '\n')
      .concat(
        '\nevaluate:\n  folds: all\n  training: { epochs: 1, patience: 1, maxTrainWindows: 800, maxValidationWindows: 400 }\n  postProcessing: { k: 2, n: 3, refractorySeconds: 5 }\n',
      ),
  );
  w.commit('tiny evaluate');
}

beforeAll(() => {
  ws = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir });
  tinySpec(ws);
});
afterAll(() => ws?.dispose());

describe('evaluate through nx', () => {
  it('has fold shard targets and the aggregator after train-cascade', async () => {
    const { output } = await ws.nx('show', 'project', 'fall-esp32', '--json');
    const targets = JSON.parse(output.slice(output.indexOf('{'))).targets;
    expect(targets['evaluate-s1']).toMatchObject({
      executor: 'nx-tinyml:evaluate-shard',
      dependsOn: ['train-cascade'],
      options: { shard: 1, shards: 2 },
      cache: true,
    });
    expect(targets.evaluate).toMatchObject({
      executor: 'nx-tinyml:evaluate',
      dependsOn: ['train-cascade', 'evaluate-s0', 'evaluate-s1'],
      options: { shards: 2 },
    });
  });

  it('`nx run fall-esp32:evaluate` holds out every sample subject once and prints the headline figures, float and int8', async () => {
    const run = await ws.nx('run', 'fall-esp32:evaluate');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(
      /cascade float: window event F1 \d\.\d{3} ± \d\.\d{3} \(median .*worst .*\(S[AE]\d\d\).*per-event sensitivity .*false alarms .*\/h/,
    );
    expect(run.output).toMatch(/cascade int8: window event F1/);
    // Both shards ran in one batch process (the live lines of the batch executor name their task).
    expect(run.output).toContain('evaluate-s0 | evaluate-s0: 2 of 4 fold(s): SA01, SE01');
    expect(run.output).toContain('evaluate-s1 | evaluate-s1: 2 of 4 fold(s): SA02, SE06');
    const results = JSON.parse(ws.read('dist/experiments/fall-esp32/evaluate/evaluate.json'));
    expect(results.folds.map((f: { fold: string }) => f.fold)).toEqual(['SA01', 'SA02', 'SE01', 'SE06']);
    const se01 = results.folds.find((f: { fold: string }) => f.fold === 'SE01').results[0].scores;
    // A subject without falls: false-alarm figures only.
    expect(se01.event.rates.sensitivity).toBeNull();
    expect(se01.event.rates.falseAlarmsPerHour).not.toBeNull();
    expect(ws.read('dist/experiments/fall-esp32/evaluate/summary.md')).toContain('| cascade | int8 |');
  }, 600_000);

  it('editing `evaluate:` changes only the evaluate targets (its alarm rule also emit-firmware, which carries it); editing `train-cascade:` changes them too', async () => {
    const all = [...UPSTREAM, 'emit-firmware', ...EVALUATE_TARGETS];
    const before = await ws.taskHashes('fall-esp32', all);
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('maxTrainWindows: 800', 'maxTrainWindows: 700'));
    const afterEvaluate = await ws.taskHashes('fall-esp32', all);
    for (const target of [...UPSTREAM, 'emit-firmware']) expect(afterEvaluate[`fall-esp32:${target}`], target).toBe(before[`fall-esp32:${target}`]);
    for (const target of EVALUATE_TARGETS) expect(afterEvaluate[`fall-esp32:${target}`], target).not.toBe(before[`fall-esp32:${target}`]);
    ws.git('checkout', '--', 'projects/fall-esp32/experiment.yaml');
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('refractorySeconds: 5', 'refractorySeconds: 10'));
    const afterRule = await ws.taskHashes('fall-esp32', all);
    for (const target of UPSTREAM) expect(afterRule[`fall-esp32:${target}`], target).toBe(before[`fall-esp32:${target}`]);
    for (const target of ['emit-firmware', ...EVALUATE_TARGETS]) expect(afterRule[`fall-esp32:${target}`], target).not.toBe(before[`fall-esp32:${target}`]);
    ws.git('checkout', '--', 'projects/fall-esp32/experiment.yaml');
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('train-cascade:\n  exits: 3\n', 'train-cascade:\n  exits: 3\n  lambda: 0.2\n'));
    const afterCascade = await ws.taskHashes('fall-esp32', all);
    ws.git('checkout', '--', 'projects/fall-esp32/experiment.yaml');
    for (const target of ['train-cascade', ...EVALUATE_TARGETS]) expect(afterCascade[`fall-esp32:${target}`], target).not.toBe(before[`fall-esp32:${target}`]);
    expect(afterCascade['fall-esp32:search']).toBe(before['fall-esp32:search']);
    // A comment changes nothing.
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => `${t}# a comment\n`);
    expect(await ws.taskHashes('fall-esp32', all)).toEqual(before);
    ws.git('checkout', '--', 'projects/fall-esp32/experiment.yaml');
  }, 120_000);

  it('after deleting the outputs and the fold journal, the folds restore from the cache without training', async () => {
    const before = ws.read('dist/experiments/fall-esp32/evaluate/evaluate.json');
    rmSync(path.join(ws.root, 'dist/experiments/fall-esp32/evaluate'), { recursive: true, force: true });
    rmSync(path.join(ws.root, 'dist/experiments/fall-esp32/evaluate-shards'), { recursive: true, force: true });
    rmSync(path.join(ws.root, 'dist/.journals/fall-esp32/evaluate'), { recursive: true, force: true });
    const run = await ws.nx('run', 'fall-esp32:evaluate');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/Nx read the output from the cache instead of running the command for \d+ out of \d+ tasks/);
    // Nothing was trained: no fold reached the journal, and the aggregate is the same bytes.
    expect(existsSync(path.join(ws.root, 'dist/.journals/fall-esp32/evaluate'))).toBe(false);
    expect(ws.read('dist/experiments/fall-esp32/evaluate/evaluate.json')).toBe(before);
  }, 300_000);
});
