/**
 * What the float32 engine saves on `evaluate`, and whether it changes the figures: evaluates the same outer folds
 * of an experiment's real upstream outputs (window, search, train-cascade) once per precision, in this process,
 * interleaved fold by fold so both see the same machine load, and prints per fold the CPU seconds and the cascade's
 * window event F1 of each precision, then totals and the ratio. Nothing is journaled or cached (a temp journal).
 *   npm run bench:evaluate -- [--experiment=fall-esp32] [--folds=SA01,SA02|all] [--spec=projects/fall-esp32/experiment.yaml] [--precisions=float32]
 * Run the experiment's train-cascade first (on the full data: NX_TINYML_DATASET_MIRROR=… nx run fall-esp32:train-cascade).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEvaluationContext } from '../../packages/core/src/evaluate/context';
import type { FoldSettings } from '../../packages/core/src/evaluate/fold-evaluation';
import { runFolds } from '../../packages/core/src/evaluate/run-folds';
import { loadSpec } from '../../packages/core/src/spec/load';
import type { Precision } from '../../packages/core/src/train/wasm/arena';

const ROOT = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const experiment = option('experiment') ?? 'fall-esp32';
  const precisions = (option('precisions') ?? 'float32,float64').split(',') as Precision[];
  const spec = await loadSpec(path.resolve(ROOT, option('spec') ?? `projects/${experiment}/experiment.yaml`), { workspaceRoot: ROOT });
  const out = (stage: string) => path.join(ROOT, 'dist/experiments', spec.name, stage);
  const sources = { windowDir: out('window'), searchDir: out('search'), cascadeDir: out('train-cascade'), specFile: path.relative(ROOT, spec.file) };
  const settings = (precision: Precision): FoldSettings => ({
    windowDir: sources.windowDir,
    seed: spec.seed,
    cascade: spec['train-cascade'],
    quantize: spec.quantize,
    evaluate: spec.evaluate,
    precision,
  });
  const context = await loadEvaluationContext(sources, settings('float32'));
  const wanted = option('folds');
  const folds = wanted === undefined || wanted === 'all' ? context.folds : wanted.split(',');
  console.log(
    `${spec.name}: ${folds.length} fold(s) × ${precisions.join(' and ')}, ${context.summary}; evaluate profile ${JSON.stringify(spec.evaluate.training)}`,
  );
  const journal = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-bench-evaluate-'));
  const totals = Object.fromEntries(precisions.map((p) => [p, { cpu: 0, f1: [] as number[] }])) as Record<Precision, { cpu: number; f1: number[] }>;
  try {
    for (const fold of folds) {
      const row: string[] = [];
      for (const precision of precisions) {
        const { results, timings } = await runFolds(context, [fold], settings(precision), path.join(journal, precision), () => {});
        const cascade = results[0].results.find((r) => r.method === 'cascade' && r.precision === 'float')!.scores;
        totals[precision].cpu += timings[0].cpuSeconds!;
        if (cascade.window.events.some((e) => e.support > 0)) totals[precision].f1.push(cascade.window.eventF1);
        row.push(`${precision} ${timings[0].cpuSeconds!.toFixed(1)} CPU-s, F1 ${cascade.window.eventF1.toFixed(3)}`);
      }
      console.log(`  ${fold}: ${row.join(' | ')}`);
    }
  } finally {
    rmSync(journal, { recursive: true, force: true });
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  for (const precision of precisions) {
    console.log(
      `${precision}: ${totals[precision].cpu.toFixed(0)} CPU-s over ${folds.length} folds; mean window event F1 ${mean(totals[precision].f1).toFixed(3)} over ${totals[precision].f1.length} folds with events`,
    );
  }
  if (precisions.length === 2) console.log(`float64 / float32 CPU time: ${(totals.float64.cpu / totals.float32.cpu).toFixed(2)}×`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
