import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedSpec } from '../spec/types';
import { runSampleSearch, type SamplePipeline } from '../../testing/sample-pipeline';
import { runTrainCascadeStage } from './train-cascade';

/**
 * train-cascade on the committed SisFall sample: a tiny search picks a 3-block CNN, then the cascade and every
 * baseline train for a few epochs. Small budgets, real data, real training.
 */
let pipeline: SamplePipeline;
beforeAll(async () => {
  pipeline = await runSampleSearch();
}, 300_000);
afterAll(() => pipeline?.dispose());

/** The sample pipeline's settings with every baseline on (a 2-model ensemble). */
const WITH_BASELINES: Partial<NormalizedSpec['train-cascade']> = {
  epochs: 2,
  patience: 2,
  ensembleSize: 2,
  baselines: { softmax: true, ensemble: true, tta: true, evidential: true },
  robustness: { noise: [1], missing: [1], maxWindows: 400 },
};

async function trainCascade(name: string, overrides: Partial<NormalizedSpec['train-cascade']> = {}) {
  const outDir = path.join(pipeline.root, name);
  const { spec } = pipeline;
  await runTrainCascadeStage({
    experiment: spec.name,
    cascade: { ...spec['train-cascade'], ...WITH_BASELINES, ...overrides },
    seed: spec.seed,
    precision: spec.train.precision,
    board: spec.boardDefinition,
    windowDir: pipeline.windowDir,
    searchDir: pipeline.searchDir,
    outDir,
  });
  const text = (file: string) => readFileSync(path.join(outDir, file), 'utf8');
  return { text, read: (file: string) => JSON.parse(text(file)) };
}

describe('train-cascade (UR2M) on the SisFall sample', () => {
  let first: Awaited<ReturnType<typeof trainCascade>>;
  beforeAll(async () => {
    first = await trainCascade('first');
  }, 300_000);

  it('builds a 3-exit evidential cascade on the searched backbone, one fall head per exit', () => {
    const model = first.read('cascade-model.json');
    expect(model.events).toEqual(['fall']);
    expect(model.ir.head).toBe('evidential');
    expect(model.ir.exits.map((e: { after: number }) => e.after)).toEqual([1, 3]); // after conv-pool blocks 1 and 2
    expect(model.thresholds).toHaveLength(2);
    expect(model.exitCosts.map((c: { macs: number }) => c.macs)).toEqual([...model.exitCosts.map((c: { macs: number }) => c.macs)].sort((a, b) => a - b));
    expect(model.memory.fits).toBe(true);
    expect(model.subjects.test).toEqual([model.fold]);
    expect(model.subjects.validation).not.toContain(model.fold);
  });

  it('reports every method on the held-out subject, with calibration figures and exit rates that add up', () => {
    const metrics = first.read('metrics.json');
    expect(Object.keys(metrics.test.methods).sort()).toEqual(['deep-ensemble', 'evidential', 'softmax', 'tta', 'ur2m-cascade']);
    const ur2m = metrics.test.methods['ur2m-cascade'];
    expect(ur2m.windows).toBe(metrics.windows.test);
    expect(ur2m.exits.rates.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    expect(ur2m.exits.expectedMacs).toBeLessThanOrEqual(ur2m.exits.macs[2]);
    for (const scores of Object.values<{ ece: number; brier: number; nll: number; events: { reliability: unknown[] }[] }>(metrics.test.methods)) {
      expect(scores.ece).toBeGreaterThanOrEqual(0);
      expect(scores.brier).toBeGreaterThanOrEqual(0);
      expect(scores.nll).toBeGreaterThan(0);
      expect(scores.events[0].reliability).toHaveLength(15);
    }
    expect(metrics.test.perExit).toHaveLength(3);
    // Calibrated on validation within the target of deep-only.
    expect(metrics.calibration.chosen.eventF1).toBeGreaterThanOrEqual(metrics.calibration.deepOnly.eventF1 - 0.01 - 1e-12);
    expect(metrics.robustness.map((l: { label: string }) => l.label)).toEqual(['clean', 'noise σ=1', 'missing 100%']);
    const comparison = first.read('comparison.json');
    expect(comparison.rows.map((r: { method: string }) => r.method)).toEqual(['ur2m-cascade', 'evidential', 'softmax', 'deep-ensemble', 'tta']);
    const ensemble = comparison.rows.find((r: { method: string }) => r.method === 'deep-ensemble');
    const softmax = comparison.rows.find((r: { method: string }) => r.method === 'softmax');
    expect(ensemble.macs).toBe(2 * softmax.macs);
    expect(first.text('summary.md')).toMatch(/\| UR2M evidential cascade \|/);
    // Every exit that never decides a fall among the validation windows is listed and warned about in the summary.
    for (const silent of metrics.silentEvents as { exit: number; event: string; support: number; windows: number }[]) {
      expect(silent.support).toBeGreaterThan(0);
      expect(first.text('summary.md')).toContain(`decides ${silent.event} on none of the ${silent.windows} validation windows`);
    }
    expect(metrics.silentEvents.length).toBe((first.text('summary.md').match(/decides fall on none of/g) ?? []).length);
  });

  it('is deterministic: the same spec and seed give byte-identical artifacts, with 1 or 2 workers', async () => {
    const again = await trainCascade('again', { workers: 2 });
    for (const file of ['cascade-model.json', 'metrics.json', 'comparison.json', 'baseline-models.json', 'summary.md']) {
      expect(again.text(file), file).toBe(first.text(file));
    }
  }, 300_000);

  it('refuses an event the window store does not have, naming the setting', async () => {
    await expect(trainCascade('bad', { events: ['stumble'] })).rejects.toThrow(
      /train-cascade.events: no class "stumble" in the window store; classes: adl, fall/,
    );
  });
});
