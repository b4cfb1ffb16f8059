/**
 * Training-engine benchmark: samples/s of one training epoch (forward + backward + Adam, batch 128, 120×6 windows)
 * for the reference 1-D CNN, a GRU(32) and a depthwise-separable CNN, with
 *   - our engine on one thread,
 *   - our engine on two worker_threads running separate trainings at once (the search runs trials this way),
 *   - stock tfjs on its CPU backend (one batch: it is ~100× slower),
 * and the cost per forward MAC (ns per MAC of one training sample: forward + backward + update, divided by the
 * model's inference MACs), so architectures of different size can be compared.
 *   npm run bench:train [-- --quick] [-- --no-tfjs]
 * Data: seeded synthetic windows in the window store's layout (speed does not depend on the values).
 */
import { cpus, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ModelIR } from '../../packages/core/src/model/ir';
import { modelCost } from '../../packages/core/src/model/cost';
import { referenceCnn } from '../../packages/core/src/model/reference';
import { FoldData } from '../../packages/core/src/train/dataset';
import { initialWeights } from '../../packages/core/src/train/engine';
import { headTargets, lossWeights } from '../../packages/core/src/train/head-targets';
import { syntheticWindowStore } from '../../packages/core/src/train/synthetic-store';
import { trainModel } from '../../packages/core/src/train/trainer';

const BATCH = 128;

const models: { name: string; ir: ModelIR }[] = [
  { name: 'reference CNN (conv16 k5, pool2, conv32 k5, GAP, dense)', ir: referenceCnn() },
  {
    name: 'GRU(32) + dense',
    ir: {
      input: { length: 120, channels: 6 },
      layers: [
        { kind: 'gru', units: 32, returnSequences: false },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      head: 'sigmoid',
    },
  },
  {
    name: 'DS-CNN (pw16, dw3, pw32) ×2, GAP, dense',
    ir: {
      input: { length: 120, channels: 6 },
      layers: [
        { kind: 'pointwise1d', filters: 16, activation: 'relu' },
        { kind: 'depthwise1d', kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
        { kind: 'pointwise1d', filters: 32, activation: 'relu' },
        { kind: 'pointwise1d', filters: 32, activation: 'relu' },
        { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
        { kind: 'pointwise1d', filters: 32, activation: 'relu' },
        { kind: 'globalavgpool' },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      head: 'sigmoid',
    },
  },
];

interface Job {
  model: number;
  windows: number;
}

/** The same data in every thread: seeded synthetic windows, overlapping like the real store's (stride 12). */
function trainingWindows(maxTrainWindows?: number): FoldData {
  const store = syntheticWindowStore({ subjects: 3, windowsPerSubject: 2400, stride: 12, seed: 1 });
  return new FoldData(store, { fold: 0, validationSubjects: 0, maxTrainWindows });
}

/** Our engine: one warm-up epoch (JIT), then one measured epoch of `windows` windows; training samples/s. */
function measureOurs(job: Job): number {
  const ir = models[job.model].ir;
  trainModel(ir, trainingWindows(1024), { seed: 1, epochs: 1, batchSize: BATCH, evaluateTest: false });
  return trainModel(ir, trainingWindows(job.windows), { seed: 2, epochs: 1, batchSize: BATCH, evaluateTest: false }).samplesPerSecond;
}

/** Two worker threads training the same model at once; each reports its own samples/s. */
function measureTwoWorkers(job: Job): Promise<number[]> {
  const script = `require('@swc-node/register'); require(${JSON.stringify(__filename)});`;
  return Promise.all(
    [0, 1].map(
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(script, { eval: true, workerData: job });
          worker.once('message', (rate: number) => {
            resolve(rate);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
}

/** Stock tfjs (CPU backend): one warm-up batch of 8, then one timed batch of 128. */
async function measureTfjs(data: FoldData, ir: ModelIR): Promise<number> {
  const { loadTfjs } = await import('../../packages/core/src/train/tfjs/load');
  const { buildTfjsModel } = await import('../../packages/core/src/train/tfjs/model');
  const { TfjsTrainable } = await import('../../packages/core/src/train/tfjs/trainable');
  const { tf } = await loadTfjs({ native: false });
  const targets = headTargets(ir, data);
  const model = new TfjsTrainable(tf, buildTfjsModel(tf, ir, initialWeights(ir, 1)), data, targets, lossWeights(data, targets, true));
  const order = Array.from(data.train.subarray(0, BATCH + 8));
  model.trainBatch(order, 0, 8);
  const started = performance.now();
  model.trainBatch(order, 8, 8 + BATCH);
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  return BATCH / seconds;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const withTfjs = !process.argv.includes('--no-tfjs');
  const load = loadavg();
  console.log(`training benchmark: batch ${BATCH}, 120×6 windows, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(`load average before the run: ${load.map((l) => l.toFixed(2)).join(' ')} (≥ 1 means something else was using a core)`);
  const data = trainingWindows(BATCH + 8);
  const rows: string[][] = [];
  for (const [index, { name, ir }] of models.entries()) {
    const macs = modelCost(ir).macs;
    const windows = quick ? 1024 : ir.layers.some((l) => l.kind === 'gru') ? 2560 : 5120;
    const one = measureOurs({ model: index, windows });
    const two = await measureTwoWorkers({ model: index, windows });
    const tfjsRate = withTfjs ? await measureTfjs(data, ir) : NaN;
    const nsPerMac = (rate: number) => (1e9 / rate / macs).toFixed(2);
    rows.push([
      name,
      `${(macs / 1000).toFixed(0)}k`,
      one.toFixed(0),
      nsPerMac(one),
      `${(two[0] + two[1]).toFixed(0)} (${two.map((r) => r.toFixed(0)).join(' + ')})`,
      withTfjs ? tfjsRate.toFixed(1) : '–',
      withTfjs ? `${(one / tfjsRate).toFixed(0)}×` : '–',
    ]);
    console.log(`  ${name}: ${one.toFixed(0)} samples/s on one thread`);
  }
  const header = ['model', 'MACs', 'ours 1 thread /s', 'ns/MAC', 'ours 2 workers /s', 'tfjs-cpu /s', 'ours ÷ tfjs'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${rows.map(line).join('\n')}`);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  parentPort!.postMessage(measureOurs(workerData as Job));
}
