/**
 * Does float32 training reach the same F1 as float64? Trains one architecture on one fold of a window store with
 * each precision and several seeds (the same seed gives both precisions the same initial weights, rounded, and the
 * same batches) and prints validation and test F1 of the fall class per run, their means and spreads, and the CPU
 * time of each precision.
 *   npm run bench:precision -- [--windows=dist/experiments/fall-esp32/window] [--fold=SA01] [--seeds=3] [--epochs=10]
 *     [--max-train=40000] [--ir=path/to/ir.json] (default: the reference CNN)
 * With the full SisFall store (NX_TINYML_DATASET_MIRROR=… nx run fall-esp32:window) first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WindowManifest } from '../../packages/core/src/data/window-manifest';
import { readWindowStore } from '../../packages/core/src/data/window-store';
import type { ModelIR } from '../../packages/core/src/model/ir';
import { referenceCnn } from '../../packages/core/testing/reference-models';
import { FoldData } from '../../packages/core/src/train/dataset';
import { trainModel } from '../../packages/core/src/train/trainer';
import type { Precision } from '../../packages/core/src/train/wasm/arena';

const ROOT = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const windowDir = path.resolve(ROOT, option('windows') ?? 'dist/experiments/fall-esp32/window');
  const foldName = option('fold') ?? 'SA01';
  const seeds = Number(option('seeds') ?? 3);
  const epochs = Number(option('epochs') ?? 10);
  const maxTrainWindows = Number(option('max-train') ?? 40000);
  const irFile = option('ir');
  const ir = irFile ? (JSON.parse(readFileSync(irFile, 'utf8')) as ModelIR) : referenceCnn();
  const store = await readWindowStore<WindowManifest>(windowDir);
  const fold = new FoldData(store, { fold: foldName, seed: 0, maxTrainWindows, maxValidationWindows: 15000 });
  console.log(
    `fold ${fold.fold}: ${fold.train.length} train / ${fold.validation.length} validation / ${fold.test.length} test windows; ${epochs} epochs, patience 3, ${irFile ?? 'reference CNN'}`,
  );
  const results: Record<Precision, { validation: number[]; test: number[]; cpu: number }> = {
    float32: { validation: [], test: [], cpu: 0 },
    float64: { validation: [], test: [], cpu: 0 },
  };
  for (let seed = 1; seed <= seeds; seed++) {
    for (const precision of ['float32', 'float64'] as const) {
      const before = process.cpuUsage();
      const result = trainModel(ir, fold, { seed, epochs, batchSize: 128, learningRate: 0.001, patience: 3, precision });
      const used = process.cpuUsage(before);
      const r = results[precision];
      r.cpu += (used.user + used.system) / 1e6;
      r.validation.push(result.validation?.positiveF1 ?? NaN);
      r.test.push(result.test?.positiveF1 ?? NaN);
      console.log(
        `  seed ${seed} ${precision}: val F1 ${fmt(result.validation?.positiveF1)} test F1 ${fmt(result.test?.positiveF1)} (best epoch ${result.bestEpoch}/${result.history.length}, ${((used.user + used.system) / 1e6).toFixed(0)} CPU-s)`,
      );
    }
  }
  for (const precision of ['float32', 'float64'] as const) {
    const r = results[precision];
    console.log(`${precision}: val F1 ${stats(r.validation)}, test F1 ${stats(r.test)}, ${r.cpu.toFixed(0)} CPU-s in all`);
  }
}

const fmt = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));

function stats(values: number[]): string {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return `${mean.toFixed(3)} ± ${sd.toFixed(3)} (${values.map((v) => v.toFixed(3)).join(', ')})`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
