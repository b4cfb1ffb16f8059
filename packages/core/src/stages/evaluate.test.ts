import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { ensureDataset } from '../data/fetch';
import { readWindowStore } from '../data/window-store';
import { int8CascadePredictions } from '../evaluate/int8-predictions';
import { formatPredictions, runNewDataEvaluation, runPredict } from '../evaluate/predict';
import { readEvaluateResults } from '../evaluate/results';
import type { QuantizedModel } from '../quantize/quantized-model';
import { buildExperimentReport } from '../report/build-report';
import { CascadeNetwork } from '../train/cascade/cascade-network';
import { applyThresholds, cascadeExitPredictions } from '../train/cascade/predictions';
import { WindowSampler } from '../train/window-source';
import { runQuantizeStage } from './quantize';
import type { WindowManifest } from '../data/window-manifest';
import { runEvaluateShards, runEvaluateShardStage, shardFolds } from './evaluate-shard';
import { runEvaluateStage } from './evaluate';
import { runSamplePipeline, type SamplePipeline } from '../../testing/sample-pipeline';

let pipeline: SamplePipeline;
beforeAll(async () => {
  pipeline = await runSamplePipeline();
}, 300_000);
afterAll(() => pipeline?.dispose());

/** Two folds of the sample with a two-epoch profile and the softmax baseline: real training, kept short. */
function settings() {
  const { spec } = pipeline;
  return {
    windowDir: pipeline.windowDir,
    seed: spec.seed,
    precision: spec.train.precision,
    cascade: spec['train-cascade'],
    quantize: { ...spec.quantize, calibrationWindows: 200 },
    evaluate: {
      ...spec.evaluate,
      baselines: true,
      folds: ['SA01', 'SA02'],
      training: { epochs: 2, patience: 2, maxTrainWindows: 1500, maxValidationWindows: 800 },
    },
  };
}

function sources() {
  return { windowDir: pipeline.windowDir, searchDir: pipeline.searchDir, cascadeDir: pipeline.cascadeDir, specFile: 'experiment.yaml' };
}

async function evaluate(name: string, shardDirs: string[] = [], journal = name, workers = 1) {
  const lines: string[] = [];
  const outDir = path.join(pipeline.root, name);
  await runEvaluateStage({
    experiment: 'pipeline-test',
    sources: sources(),
    settings: settings(),
    shardDirs,
    outDir,
    journalDir: path.join(pipeline.root, 'journals', journal),
    workers,
    log: (l) => lines.push(l),
  });
  return { outDir, lines, text: (file: string) => readFileSync(path.join(outDir, file), 'utf8') };
}

describe('evaluate on the SisFall sample', () => {
  let first: Awaited<ReturnType<typeof evaluate>>;
  beforeAll(async () => {
    // Without shard targets (`nx run …:evaluate --excludeTaskDependencies`) the folds share two worker threads.
    first = await evaluate('first', [], 'first', 2);
  }, 300_000);

  it('holds out every selected subject once, with window- and event-level figures for cascade and deep exit, float and int8', async () => {
    expect(first.lines).toContain('evaluate: 2 fold(s) on 2 worker threads');
    const results = await readEvaluateResults(first.outDir);
    expect(results.folds.map((f) => f.fold)).toEqual(['SA01', 'SA02']);
    for (const fold of results.folds) {
      expect(fold.subjects.test).toEqual([fold.fold]);
      expect(fold.subjects.train).not.toContain(fold.fold);
      expect(fold.subjects.validation).not.toContain(fold.fold);
      expect(fold.results.map((r) => `${r.method}/${r.precision}`)).toEqual([
        'cascade/float',
        'deep-exit/float',
        'cascade/int8',
        'deep-exit/int8',
        'softmax/float',
      ]);
      const cascade = fold.results[0].scores;
      expect(cascade.window.windows).toBe(fold.windows.test);
      expect(cascade.event.counts.occurrences[0]).toBeGreaterThan(0);
      expect(cascade.event.counts.activityRecordings).toBeGreaterThan(0);
    }
    expect(results.aggregate.all.methods.map((m) => `${m.method}/${m.precision}`)).toEqual([
      'cascade/float',
      'deep-exit/float',
      'cascade/int8',
      'deep-exit/int8',
      'softmax/float',
    ]);
    const cascade = results.aggregate.all.methods[0];
    expect(cascade.perSubject.windowEventF1.folds).toBe(2);
    expect(cascade.perSubject.windowEventF1.sd).not.toBeNull();
    expect(results.postProcessing.description).toContain('2 of the last 3');
    expect(first.lines.some((l) => /cascade float: window event F1 \d\.\d{3} ± \d\.\d{3}/.test(l))).toBe(true);
    expect(first.lines.some((l) => /per-event sensitivity .* false alarms .*\/h/.test(l))).toBe(true);
    expect(first.text('summary.md')).toContain('## Without the folds whose test subject took part in selection');
  });

  it("chooses the thresholds under every targetDrop of the sweep, the spec's value reproducing the cascade's own figures", async () => {
    const results = await readEvaluateResults(first.outDir);
    const spec = pipeline.spec['train-cascade'].targetDrop;
    for (const fold of results.folds) {
      const sweep = fold.targetDropSweep!;
      expect(sweep.rows.map((r) => r.targetDrop)).toEqual(pipeline.spec.evaluate.targetDropSweep);
      const own = sweep.rows.find((r) => r.targetDrop === spec)!;
      const [cascade, deep] = fold.results.map((r) => r.scores.window);
      expect(own.thresholds).toEqual(fold.thresholds);
      expect(own.eventF1).toBeCloseTo(cascade.eventF1, 12);
      expect(own.expectedMacs).toBeCloseTo(cascade.exits!.expectedMacs, 6);
      expect(sweep.deep.eventF1).toBeCloseTo(deep.eventF1, 12);
    }
    expect(results.aggregate.all.targetDropSweep!.map((r) => r.macsShare.folds)).toEqual(pipeline.spec.evaluate.targetDropSweep.map(() => 2));
    expect(first.text('summary.md')).toContain(`| ${spec} (train-cascade) | `);
    expect(first.lines.some((l) => l.includes('cascade float by targetDrop') && l.includes(` ${spec}* `))).toBe(true);
  });

  it('counts the int8 cascade under every alarm rule of the sweep, the spec rule among them giving its event figures', async () => {
    const results = await readEvaluateResults(first.outDir);
    const sweep = results.aggregate.all.alarmSweep!;
    expect(sweep.map((r) => `${r.k}/${r.n}`)).toEqual(['1/1', '2/3', '3/3', '4/5', '5/5', '6/8', '8/8', '10/12', '12/12']);
    const int8 = results.aggregate.all.methods.find((m) => m.method === 'cascade' && m.precision === 'int8')!;
    expect(sweep.find((r) => r.k === 2 && r.n === 3)!.counts).toEqual(int8.pooled.event.counts);
    // A stricter vote never raises more alarms.
    expect(sweep[0].counts.alarms).toBeGreaterThanOrEqual(sweep[2].counts.alarms);
    expect(first.text('summary.md')).toMatch(/\| 2 of 3 \(postProcessing\) \| /);
  });

  it('measures the int8 uncertainty on damaged windows with the input gate: a lost signal is always told from clean input', async () => {
    const results = await readEvaluateResults(first.outDir);
    for (const fold of results.folds) {
      const levels = fold.robustness!;
      expect(levels.map((l) => l.damage)).toEqual(['noise σ=1', 'missing 100%']);
      const lost = levels[1];
      expect(lost.gateRejected).toBe(1);
      expect(lost.meanUncertainty).toBe(1);
      expect(lost.auroc).toBeGreaterThan(0.9);
    }
    expect(first.text('summary.md')).toContain('## Uncertainty on damaged input');
  });

  it("marks the folds whose test subject ranked the search's candidates or calibrated the deployed thresholds", async () => {
    const results = await readEvaluateResults(first.outDir);
    const trials = JSON.parse(readFileSync(path.join(pipeline.searchDir, 'trials.json'), 'utf8'));
    const cascade = JSON.parse(readFileSync(path.join(pipeline.cascadeDir, 'cascade-model.json'), 'utf8'));
    for (const fold of results.folds) {
      const selecting = trials.subjects.validation.includes(fold.fold) || cascade.subjects.validation.includes(fold.fold);
      expect(fold.selection.excluded).toBe(selecting);
    }
    // SA01 is the search's test subject: never part of selection.
    expect(results.folds[0].selection).toMatchObject({ rankedArchitectures: false, trainedSearchCandidates: false, excluded: false });
    const kept = results.folds.filter((f) => !f.selection.excluded).map((f) => f.fold);
    expect(results.aggregate.withoutSelection?.folds ?? []).toEqual(kept);
  });

  it("the experiment report shows the stage's spread over subjects, with and without the selection folds", async () => {
    const experimentDir = path.join(pipeline.root, 'report-view');
    mkdirSync(experimentDir, { recursive: true });
    symlinkSync(first.outDir, path.join(experimentDir, 'evaluate'));
    const report = await buildExperimentReport(experimentDir, 'pipeline-test');
    const section = report.json.sections.find((s) => s.id === 'evaluate')!;
    expect(section.status).toBe('shown');
    const results = await readEvaluateResults(first.outDir);
    const cascade = results.aggregate.all.methods.find((m) => m.method === 'cascade' && m.precision === 'float')!;
    const shown = (section.data.aggregate as { label: string; windowEventF1: unknown }[]).find((m) => m.label === 'cascade float')!;
    expect(shown.windowEventF1).toEqual(cascade.perSubject.windowEventF1);
    expect(report.html).toContain(`${cascade.perSubject.windowEventF1.mean!.toFixed(3)} ± ${cascade.perSubject.windowEventF1.sd!.toFixed(3)}`);
    expect(section.data.selectionFolds).toEqual(results.folds.filter((f) => f.selection.excluded).map((f) => f.fold));
    // The alarm-rule trade-off as a figure (the deployed rule marked) and the damaged-input table.
    const sweep = section.data.alarmSweep as { k: number; n: number; deployed: boolean; sensitivity: number | null }[];
    expect(sweep.filter((r) => r.deployed).map((r) => `${r.k}/${r.n}`)).toEqual(['2/3']);
    expect(sweep.find((r) => r.deployed)!.sensitivity).toBe(results.aggregate.all.alarmSweep![1].rates.sensitivity);
    expect(report.html).toContain('data-plot="evaluate-alarm-rules"');
    expect(report.html).toMatch(/<svg[^]*2\/3 \(deployed\)/);
    expect((section.data.damagedInput as { damage: string }[]).map((l) => l.damage)).toEqual(['noise σ=1', 'missing 100%']);
    expect(report.html).toContain('gate rejects damaged');
    // The targetDrop sweep as a table, the deployed budget marked.
    const budgets = section.data.targetDropSweep as { targetDrop: number; deployed: boolean; macsShare: number | null }[];
    expect(budgets.filter((r) => r.deployed).map((r) => r.targetDrop)).toEqual([pipeline.spec['train-cascade'].targetDrop]);
    expect(budgets.map((r) => r.macsShare)).toEqual(results.aggregate.all.targetDropSweep!.map((r) => r.macsShare.mean));
    expect(report.html).toContain(`${pipeline.spec['train-cascade'].targetDrop} (deployed)`);
  });

  it('gives the same bytes from shard targets as from one task, without training again, and replays a killed run from its journal', async () => {
    const folds = ['SA01', 'SA02'];
    expect(shardFolds(folds, 0, 2)).toEqual(['SA01']);
    expect(shardFolds(folds, 1, 2)).toEqual(['SA02']);
    const shardDirs = [0, 1, 2].map((j) => path.join(pipeline.root, `shard-${j}`));
    for (const [shard, outDir] of shardDirs.entries()) {
      await runEvaluateShardStage({
        sources: sources(),
        settings: settings(),
        shard,
        shards: 3,
        outDir,
        journalDir: path.join(pipeline.root, 'journals', 'shards'),
      });
    }
    expect(JSON.parse(readFileSync(path.join(shardDirs[2], 'folds.json'), 'utf8')).folds).toEqual([]);
    const assembled = await evaluate('assembled', shardDirs, 'empty');
    expect(assembled.lines.some((l) => l.includes('2 of 2 fold(s) from the shard targets'))).toBe(true);
    expect(assembled.lines.some((l) => /epoch \d/.test(l))).toBe(false);
    expect(assembled.text('evaluate.json')).toBe(first.text('evaluate.json'));

    const replayed = await evaluate('replayed', [], 'first');
    expect(replayed.lines.filter((l) => l.includes('replayed from the journal'))).toHaveLength(2);
    expect(replayed.text('evaluate.json')).toBe(first.text('evaluate.json'));
  }, 300_000);

  it('gives the same bytes when the shards run in one process with their folds on two worker threads', async () => {
    const shardDirs = [0, 1].map((j) => path.join(pipeline.root, `pooled-${j}`));
    const lines = new Map<number, string[]>([
      [0, []],
      [1, []],
    ]);
    const outputs = await runEvaluateShards({
      sources: sources(),
      settings: settings(),
      shards: 2,
      run: [0, 1],
      outDir: (shard) => shardDirs[shard],
      journalDir: path.join(pipeline.root, 'journals', 'pooled'),
      workers: 2,
      log: (shard) => (line) => lines.get(shard)!.push(line),
    });
    expect(outputs.map((o) => o.folds.map((f) => f.result.fold))).toEqual([['SA01'], ['SA02']]);
    // Each shard's record holds its own fold's training and result, trained on a worker thread of its own.
    expect(lines.get(0)!.some((l) => l.startsWith('evaluate: fold SA01 done'))).toBe(true);
    expect(lines.get(1)!.some((l) => l.startsWith('evaluate: fold SA02 done'))).toBe(true);
    expect(lines.get(0)!.some((l) => l.includes('fold SA02'))).toBe(false);
    const runLog = readFileSync(path.join(shardDirs[1], 'run-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(runLog).toHaveLength(1);
    expect(runLog[0]).toMatchObject({ fold: 'SA02', replayed: false });
    expect(runLog[0].cpuSeconds).toBeGreaterThan(0);
    const assembled = await evaluate('pooled-assembled', shardDirs, 'empty-pooled');
    expect(assembled.lines.some((l) => l.includes('2 of 2 fold(s) from the shard targets'))).toBe(true);
    expect(assembled.text('evaluate.json')).toBe(first.text('evaluate.json'));
  }, 300_000);

  it('names the spec field when a listed fold does not exist', async () => {
    const bad = { ...settings(), evaluate: { ...settings().evaluate, folds: ['SA99'] } };
    await expect(
      runEvaluateStage({
        experiment: 'x',
        sources: sources(),
        settings: bad,
        shardDirs: [],
        outDir: path.join(pipeline.root, 'bad'),
        journalDir: path.join(pipeline.root, 'j'),
      }),
    ).rejects.toThrow(/experiment\.yaml: evaluate\.folds: no fold "SA99" in the window store; its folds are SA01, /);
  });
});

describe('the trained models on recordings of a local folder', () => {
  const RECORDINGS = ['SA01/F01_SA01_R01', 'SA01/D01_SA01_R01', 'SA01/D05_SA01_R01'];
  let folder: string;
  let models: { cascadeDir: string; quantizeDir: string };
  beforeAll(async () => {
    const quantizeDir = path.join(pipeline.root, 'quantize');
    const { spec } = pipeline;
    await runQuantizeStage({
      experiment: spec.name,
      quantize: { ...spec.quantize, calibrationWindows: 200, goldenVectors: 4 },
      seed: spec.seed,
      board: spec.boardDefinition,
      windowDir: pipeline.windowDir,
      cascadeDir: pipeline.cascadeDir,
      outDir: quantizeDir,
    });
    models = { cascadeDir: pipeline.cascadeDir, quantizeDir };
    // A user's folder: three committed recordings, laid out like the archive, no checksum pin.
    const sample = await ensureDataset('sisfall', {
      source: 'sample',
      workspaceRoot: defaultWorkspaceRoot,
      env: { NX_TINYML_DATA_DIR: path.join(defaultWorkspaceRoot, '.data', 'datasets') },
    });
    folder = path.join(pipeline.root, 'my-recordings');
    mkdirSync(path.join(folder, 'SA01'), { recursive: true });
    for (const name of RECORDINGS) copyFileSync(path.join(sample.root, `${name}.txt`), path.join(folder, `${name}.txt`));
  }, 300_000);

  it("predict gives, window by window, the decisions of the stage's own windows of that recording, float and int8", async () => {
    const outFile = path.join(pipeline.root, 'predict', 'fall.csv');
    const rows = await runPredict({ spec: pipeline.spec, models, folder, recording: 'SA01/F01_SA01_R01', format: 'csv', outFile });
    const store = await readWindowStore<WindowManifest>(pipeline.windowDir);
    const cascade = JSON.parse(readFileSync(path.join(pipeline.cascadeDir, 'cascade-model.json'), 'utf8'));
    const recording = store.manifest.recordings.findIndex((r) => r.name === 'SA01/F01_SA01_R01');
    const windows = Uint32Array.from([...store.windowRecording.keys()].filter((w) => store.windowRecording[w] === recording));
    const sampler = new WindowSampler(store, cascade.normalization);
    const network = new CascadeNetwork(cascade.ir);
    network.importWeights(cascade.weights);
    const float = applyThresholds(cascadeExitPredictions(network, 1, sampler, windows, { kind: 'clean' }, 0), cascade.thresholds);
    const model = JSON.parse(readFileSync(path.join(models.quantizeDir, 'quantized-model.json'), 'utf8')) as QuantizedModel;
    const int8 = int8CascadePredictions(model, sampler, windows, 1).cascade;
    const decision = (cls: number) => (cls === 0 ? 'none' : 'fall');
    expect(rows).toHaveLength(windows.length);
    expect(rows.map((r) => r.float.decision)).toEqual(Array.from(float.cls, decision));
    expect(rows.map((r) => r.float.exit)).toEqual(Array.from(float.exit!));
    expect(rows.map((r) => r.float.p[0])).toEqual(Array.from(float.p));
    expect(rows.map((r) => r.int8!.decision)).toEqual(Array.from(int8.cls, decision));
    expect(rows.map((r) => r.label)).toEqual(Array.from(windows, (w) => store.manifest.classes[store.windowLabel[w]]));
    expect(rows.some((r) => r.label === 'fall')).toBe(true);
    const csv = readFileSync(outFile, 'utf8').split('\n');
    expect(csv[0]).toBe(
      'window,start_s,end_s,label,float_decision,float_p_fall,float_uncertainty,float_exit,int8_decision,int8_p_fall,int8_uncertainty,int8_exit',
    );
    expect(csv).toHaveLength(windows.length + 2);
    expect(
      formatPredictions(rows.slice(0, 2), ['fall'], 'jsonl')
        .split('\n')
        .map((l) => l && JSON.parse(l).window),
    ).toEqual([0, 1, '']);
  }, 120_000);

  it('evaluate-data scores every recording of the folder and lists what it read', async () => {
    const outDir = path.join(pipeline.root, 'evaluate-data');
    const report = await runNewDataEvaluation({ spec: pipeline.spec, models, folder, outDir });
    expect(report.recordings.map((r) => r.name)).toEqual([...RECORDINGS].sort());
    expect(report.float.event.counts.occurrences).toEqual([1]);
    expect(report.float.event.counts.activityRecordings).toBe(2);
    expect(report.int8).not.toBeNull();
    const manifest = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(RECORDINGS.map((r) => `${r}.txt`).sort());
    expect(manifest.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  it("gives the adapter's file:line error for a malformed file and leaves nothing behind", async () => {
    const broken = path.join(pipeline.root, 'broken');
    mkdirSync(path.join(broken, 'SA01'), { recursive: true });
    const lines = readFileSync(path.join(folder, 'SA01/D01_SA01_R01.txt'), 'utf8').split('\n');
    lines[4] = '12, abc, 7, 1, 2, 3, 4, 5, 6;';
    writeFileSync(path.join(broken, 'SA01/D01_SA01_R01.txt'), lines.join('\n'));
    const outFile = path.join(pipeline.root, 'broken-out', 'p.csv');
    await expect(runPredict({ spec: pipeline.spec, models, folder: broken, recording: 'SA01/D01_SA01_R01', format: 'csv', outFile })).rejects.toThrow(
      /D01_SA01_R01\.txt:5: /,
    );
    expect(existsSync(outFile)).toBe(false);
    const outDir = path.join(pipeline.root, 'broken-report');
    await expect(runNewDataEvaluation({ spec: pipeline.spec, models, folder: broken, outDir })).rejects.toThrow(/D01_SA01_R01\.txt:5: /);
    expect(existsSync(outDir)).toBe(false);
  }, 120_000);
});
