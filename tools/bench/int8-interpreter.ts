/**
 * What the WebAssembly linear kernels (quantize/kernels/linear-wasm.ts) save the integer interpreter, on an
 * experiment's deployed model and real windows: runs the same windows with every exit through the reference
 * kernels and through the wasm ones, in this process, best of 3 rounds each, checks every exit's estimate equal,
 * and prints windows per CPU-second and the ratio.
 *   npm run bench:int8 -- [--experiment=fall-esp32] [--windows=3000]
 * Run the experiment's quantize stage first (nx run fall-esp32:quantize).
 */
import path from 'node:path';
import { readWindowStore } from '../../packages/core/src/data/window-store';
import type { WindowManifest } from '../../packages/core/src/data/window-manifest';
import { runQuantized, type InterpreterResult } from '../../packages/core/src/quantize/interpreter';
import { WasmLinearKernels } from '../../packages/core/src/quantize/kernels/linear-wasm';
import { quantizeInput } from '../../packages/core/src/quantize/ptq';
import { readQuantizedModel } from '../../packages/core/src/quantize/quantized-files';
import { WindowSampler } from '../../packages/core/src/train/window-source';
import { readCascadeModel } from '../../packages/core/src/train/cascade/cascade-model-file';
import { exitCosts } from '../../packages/core/src/model/cost';

const ROOT = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const experiment = option('experiment') ?? 'fall-esp32';
  const out = (stage: string) => path.join(ROOT, 'dist/experiments', experiment, stage);
  const model = await readQuantizedModel(out('quantize'));
  const store = await readWindowStore<WindowManifest>(out('window'));
  const sampler = new WindowSampler(store, store.manifest.folds[0].normalization);
  const count = Math.min(Number(option('windows') ?? 3000), store.windowSubject.length);
  // Windows spread over the whole store (every subject, every activity).
  const step = store.windowSubject.length / count;
  const inputs = Array.from({ length: count }, (_, i) => quantizeInput(model, sampler.sample(Math.floor(i * step))));
  // With every exit run, a window costs the deepest exit's cumulative MACs (which counts the earlier heads).
  const { ir } = await readCascadeModel(out('train-cascade'));
  const macs = exitCosts(ir).at(-1)?.macs ?? 0;
  console.log(`${experiment}: ${model.ops.length} ops, ${macs} MACs per window with every exit; ${count} windows`);

  const run = (linearKernels?: WasmLinearKernels) => {
    let best = Infinity;
    let results: InterpreterResult[] = [];
    for (let round = 0; round < 3; round++) {
      const start = process.cpuUsage();
      results = inputs.map((input) => runQuantized(model, input, { runAllExits: true, linearKernels }));
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / 1e6);
    }
    return { seconds: best, results };
  };
  const reference = run();
  const wasm = run(new WasmLinearKernels());
  const estimates = (r: InterpreterResult[]) => JSON.stringify(r.map((x) => x.exits.map((e) => [e.exit, e.estimate, e.takes])));
  if (estimates(reference.results) !== estimates(wasm.results)) throw new Error('the wasm kernels changed an exit estimate');
  const rate = (s: number) => Math.round(count / s);
  console.log(`reference kernels: ${rate(reference.seconds)} windows/CPU-s (${reference.seconds.toFixed(2)} CPU-s)`);
  console.log(`wasm kernels:      ${rate(wasm.seconds)} windows/CPU-s (${wasm.seconds.toFixed(2)} CPU-s)`);
  console.log(`ratio: ${(reference.seconds / wasm.seconds).toFixed(2)}×, every exit's estimate equal on all ${count} windows`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
