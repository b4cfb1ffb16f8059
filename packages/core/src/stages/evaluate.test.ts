import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvaluateResults } from '../evaluate/results';
import { runEvaluateShardStage, shardFolds } from './evaluate-shard';
import { runEvaluateStage } from './evaluate';
import { runSamplePipeline, type SamplePipeline } from './sample-pipeline';

let pipeline: SamplePipeline;
beforeAll(async () => {
  pipeline = await runSamplePipeline();
}, 300_000);
afterAll(() => pipeline?.dispose());

/** Two folds of the sample with a two-epoch profile: real training, kept short. */
function settings() {
  const { spec } = pipeline;
  return {
    windowDir: pipeline.windowDir,
    seed: spec.seed,
    cascade: spec['train-cascade'],
    quantize: { ...spec.quantize, calibrationWindows: 200 },
    evaluate: { ...spec.evaluate, folds: ['SA01', 'SA02'], training: { epochs: 2, patience: 2, maxTrainWindows: 1500, maxValidationWindows: 800 } },
  };
}

function sources() {
  return { windowDir: pipeline.windowDir, searchDir: pipeline.searchDir, cascadeDir: pipeline.cascadeDir, specFile: 'experiment.yaml' };
}

async function evaluate(name: string, shardDirs: string[] = [], journal = name) {
  const lines: string[] = [];
  const outDir = path.join(pipeline.root, name);
  await runEvaluateStage({ experiment: 'pipeline-test', sources: sources(), settings: settings(), shardDirs, outDir, journalDir: path.join(pipeline.root, 'journals', journal), log: (l) => lines.push(l) });
  return { outDir, lines, text: (file: string) => readFileSync(path.join(outDir, file), 'utf8') };
}

describe('evaluate on the SisFall sample', () => {
  let first: Awaited<ReturnType<typeof evaluate>>;
  beforeAll(async () => {
    first = await evaluate('first');
  }, 300_000);

  it('holds out every selected subject once, with window- and event-level figures for cascade and deep exit, float and int8', async () => {
    const results = await readEvaluateResults(first.outDir);
    expect(results.folds.map((f) => f.fold)).toEqual(['SA01', 'SA02']);
    for (const fold of results.folds) {
      expect(fold.subjects.test).toEqual([fold.fold]);
      expect(fold.subjects.train).not.toContain(fold.fold);
      expect(fold.subjects.validation).not.toContain(fold.fold);
      expect(fold.results.map((r) => `${r.method}/${r.precision}`)).toEqual(['cascade/float', 'deep-exit/float', 'cascade/int8', 'deep-exit/int8']);
      const cascade = fold.results[0].scores;
      expect(cascade.window.windows).toBe(fold.windows.test);
      expect(cascade.event.counts.occurrences[0]).toBeGreaterThan(0);
      expect(cascade.event.counts.activityRecordings).toBeGreaterThan(0);
    }
    expect(results.aggregate.all.methods.map((m) => `${m.method}/${m.precision}`)).toEqual(['cascade/float', 'deep-exit/float', 'cascade/int8', 'deep-exit/int8']);
    const cascade = results.aggregate.all.methods[0];
    expect(cascade.perSubject.windowEventF1.folds).toBe(2);
    expect(cascade.perSubject.windowEventF1.sd).not.toBeNull();
    expect(results.postProcessing.description).toContain('2 of the last 3');
    expect(first.lines.some((l) => /cascade float: window event F1 \d\.\d{3} ± \d\.\d{3}/.test(l))).toBe(true);
    expect(first.lines.some((l) => /per-event sensitivity .* false alarms .*\/h/.test(l))).toBe(true);
    expect(first.text('summary.md')).toContain('## Without the folds whose test subject took part in selection');
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

  it('gives the same bytes from shard targets as from one task, without training again, and replays a killed run from its journal', async () => {
    const folds = ['SA01', 'SA02'];
    expect(shardFolds(folds, 0, 2)).toEqual(['SA01']);
    expect(shardFolds(folds, 1, 2)).toEqual(['SA02']);
    const shardDirs = [0, 1, 2].map((j) => path.join(pipeline.root, `shard-${j}`));
    for (const [shard, outDir] of shardDirs.entries()) {
      await runEvaluateShardStage({ sources: sources(), settings: settings(), shard, shards: 3, outDir, journalDir: path.join(pipeline.root, 'journals', 'shards') });
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

  it('names the spec field when a listed fold does not exist', async () => {
    const bad = { ...settings(), evaluate: { ...settings().evaluate, folds: ['SA99'] } };
    await expect(
      runEvaluateStage({ experiment: 'x', sources: sources(), settings: bad, shardDirs: [], outDir: path.join(pipeline.root, 'bad'), journalDir: path.join(pipeline.root, 'j') }),
    ).rejects.toThrow(/experiment\.yaml: evaluate\.folds: no fold "SA99" in the window store; its folds are SA01, /);
  });
});
