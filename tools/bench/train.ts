/**
 * Training-engine benchmark: samples/s of one training epoch (forward + backward + Adam, batch 128, 120×6 windows)
 * for the reference 1-D CNN, a GRU(32) and a depthwise-separable CNN, with
 *   - our engine on one thread, in float32 and in float64 (`--precision=float32|float64` for one of them),
 *   - our engine on two worker_threads running separate trainings at once (the search runs trials this way),
 *   - stock tfjs on its CPU backend (one batch: it is ~100× slower),
 *   - with `--pytorch`, PyTorch (Debian's python3-torch) on one thread in float32 and float64: the same
 *     architectures built by tools/bench/train_pytorch.py from the same IR, parameter counts checked equal, reported
 *     per CPU-second and as our ÷ PyTorch ratios,
 *   - optionally a baseline: the engine of another checkout of this repository (`--baseline=DIR`, e.g. made with
 *     `git worktree add /tmp/base <commit>`), measured in the same process, alternating with ours, so the ratio is
 *     not skewed by what else the machine is doing,
 * and the cost per forward MAC (ns of CPU time per training sample: forward + backward + update, divided by the
 * model's inference MACs), so architectures of different size can be compared. Single-thread rates are given by the
 * wall clock and per CPU-second (robust to other load on the machine). Each figure is the best of `--repeat` runs
 * (default 3).
 *   npm run bench:train [-- --quick] [-- --no-tfjs] [-- --pytorch] [-- --precision=float32] [-- --baseline=DIR] [-- --repeat=N] [-- --only=cnn,gru,ds]
 * Data: seeded synthetic windows in the window store's layout (speed does not depend on the values).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ModelIR } from '../../packages/core/src/model/ir';
import { modelCost } from '../../packages/core/src/model/cost';
import { paramCount } from '../../packages/core/src/model/params';
import { inferShapes } from '../../packages/core/src/model/shapes';
import { slidingGeometry } from '../../packages/core/src/train/kernels/geometry';
import type { Precision } from '../../packages/core/src/train/wasm/arena';
import { referenceCnn } from '../../packages/core/testing/reference-models';
import { FoldData } from '../../packages/core/src/train/dataset';
import { initialWeights } from '../../packages/core/testing/train/engine';
import { headTargets, lossWeights } from '../../packages/core/src/train/head-targets';
import { syntheticWindowStore } from '../../packages/core/testing/train/synthetic-store';

const BATCH = 128;
const ROOT = path.resolve(__dirname, '../..');

const models: { key: string; name: string; ir: ModelIR }[] = [
  { key: 'cnn', name: 'reference CNN (conv16 k5, pool2, conv32 k5, GAP, dense)', ir: referenceCnn() },
  {
    key: 'gru',
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
    key: 'ds',
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
  /** Repository root whose engine (packages/core/src/train) to run: ours or the baseline's. */
  root: string;
  /** Element type (a baseline checkout older than the float32 path ignores it and runs float64). */
  precision: Precision;
}

type TrainModel = (
  ir: ModelIR,
  data: FoldData,
  options: { seed: number; epochs: number; batchSize: number; evaluateTest: boolean; precision: Precision },
) => { samplesPerSecond: number };

/** The same data in every thread and for both engines: seeded synthetic windows, overlapping like the real store's. */
function trainingWindows(root: string, maxTrainWindows?: number): FoldData {
  const { syntheticWindowStore: store } = require(path.join(root, 'packages/core/testing/train/synthetic-store')) as {
    syntheticWindowStore: typeof syntheticWindowStore;
  };
  const { FoldData: Data } = require(path.join(root, 'packages/core/src/train/dataset')) as { FoldData: typeof FoldData };
  return new Data(store({ subjects: 3, windowsPerSubject: 2400, stride: 12, seed: 1 }), { fold: 0, validationSubjects: 0, maxTrainWindows });
}

/** When two workers measure at once: a shared counter both wait on after warming up, so their timed epochs overlap. */
interface Barrier {
  counter: Int32Array;
  parties: number;
}

/** Waits until every party has arrived `round + 1` times (the counter only grows, so one counter serves every round). */
function arriveAndWait({ counter, parties }: Barrier, round: number): void {
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  for (let arrived = Atomics.load(counter, 0); arrived < parties * (round + 1); arrived = Atomics.load(counter, 0)) Atomics.wait(counter, 0, arrived);
}

interface Measurement {
  /** Training samples/s by the wall clock (what the trainer reports). */
  wall: number;
  /** Training samples per second of this process's CPU time. */
  cpu: number;
  samples: number;
  /** process.hrtime (one clock for every thread of the process) at the timed epoch's start and end, in ns. */
  startNs: bigint;
  endNs: bigint;
}

/**
 * One engine: one warm-up epoch (JIT), then one measured epoch of `windows` windows. Training samples/s by the wall
 * clock (what the trainer reports) and per second of this process's CPU time (what a core does, whatever else the
 * machine is running: on a loaded machine the wall clock also counts the time other processes had the core).
 */
function measure(job: Job): Measurement {
  return measureRounds(job, 1)[0];
}

/**
 * A warm-up epoch, then `rounds` timed epochs in one thread. With a barrier, each timed epoch starts when every
 * party's has: a fresh thread's code takes a few epochs to reach V8's optimising tier, so the two-worker figure is
 * the best round, as the one-thread figure is the best of its repeats in an already warm main thread.
 */
function measureRounds(job: Job, rounds: number, barrier?: Barrier): Measurement[] {
  const { trainModel } = require(path.join(job.root, 'packages/core/src/train/trainer')) as { trainModel: TrainModel };
  const ir = models[job.model].ir;
  const { precision } = job;
  trainModel(ir, trainingWindows(job.root, 1024), { seed: 1, epochs: 1, batchSize: BATCH, evaluateTest: false, precision });
  const data = trainingWindows(job.root, job.windows);
  const results: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    if (barrier) arriveAndWait(barrier, round);
    const startNs = process.hrtime.bigint();
    const before = process.cpuUsage();
    const wall = trainModel(ir, data, { seed: 2, epochs: 1, batchSize: BATCH, evaluateTest: false, precision }).samplesPerSecond;
    const used = process.cpuUsage(before);
    const endNs = process.hrtime.bigint();
    results.push({ wall, cpu: data.train.length / ((used.user + used.system) / 1e6), samples: data.train.length, startNs, endNs });
  }
  return results;
}

/**
 * Two worker threads training the same model at once (as the search's trial workers do), their timed epochs started
 * together (each warms up and builds its data first, which takes different times). A round's throughput = both
 * workers' samples ÷ the time until the later one finishes, so neither is credited for time it ran alone; the best of
 * `rounds` rounds is returned, with each worker's own rate in it.
 */
async function measureTwoWorkers(job: Job, rounds: number): Promise<{ total: number; parts: number[] }> {
  const script = `require('@swc-node/register'); require(${JSON.stringify(__filename)});`;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<Measurement[]>((resolve, reject) => {
          const worker = new Worker(script, { eval: true, workerData: { job, rounds, counter, parties: 2 } });
          worker.once('message', (m: Measurement[]) => {
            resolve(m);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
  let best = { total: 0, parts: [0, 0] };
  for (let round = 0; round < rounds; round++) {
    const parts = workers.map((w) => w[round]);
    const start = parts.reduce((t, m) => (m.startNs < t ? m.startNs : t), parts[0].startNs);
    const end = parts.reduce((t, m) => (m.endNs > t ? m.endNs : t), parts[0].endNs);
    const total = parts.reduce((n, m) => n + m.samples, 0) / (Number(end - start) / 1e9);
    if (total > best.total) best = { total, parts: parts.map((m) => m.wall) };
  }
  return best;
}

/** Stock tfjs (CPU backend): one warm-up batch of 8, then one timed batch of 128. */
async function measureTfjs(data: FoldData, ir: ModelIR): Promise<number> {
  const { loadTfjs } = await import('../../packages/core/testing/tfjs-oracle/load');
  const { buildTfjsModel } = await import('../../packages/core/testing/tfjs-oracle/model');
  const { TfjsTrainable } = await import('../../packages/core/testing/tfjs-oracle/trainable');
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

/** Best single-thread rates (wall clock, CPU time) and best two-worker total (with its two parts) over the repeats. */
interface Rates {
  one: number;
  oneCpu: number;
  two: { total: number; parts: number[] };
}

interface EngineUnderTest {
  label: string;
  root: string;
  precision: Precision;
  /** Also run two workers at once (costs a second measurement per round). */
  twoWorkers: boolean;
}

/** The IR's layers with `same` padding resolved to explicit before/after counts, for the PyTorch script. */
function pytorchModel(key: string, ir: ModelIR, windows: number): unknown {
  const shapes = [[ir.input.length, ir.input.channels], ...inferShapes(ir)];
  const layers = ir.layers.map((layer, i) => {
    if (layer.kind !== 'conv1d' && layer.kind !== 'depthwise1d' && layer.kind !== 'pointwise1d') return layer;
    const kernel = layer.kind === 'pointwise1d' ? 1 : layer.kernel;
    const stride = layer.kind === 'pointwise1d' ? 1 : layer.stride;
    const padding = layer.kind === 'pointwise1d' ? 'valid' : layer.padding;
    const { padBefore, padAfter } = slidingGeometry(shapes[i][0], kernel, stride, padding);
    return { ...layer, kernel, stride, padBefore, padAfter };
  });
  return { key, input: [ir.input.length, ir.input.channels], layers, windows };
}

interface PytorchRate {
  key: string;
  dtype: Precision;
  params: number;
  samplesPerCpuSecond: number;
}

/** Debian's python3-torch lives in the system Python; a pyenv or venv `python3` first on PATH would not see it. */
function pythonWithTorch(): string {
  if (process.env.NX_TINYML_PYTHON) return process.env.NX_TINYML_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Runs tools/bench/train_pytorch.py on the models (one thread, float32 and float64); null when torch is missing. */
function measurePytorch(jobs: { key: string; ir: ModelIR; windows: number }[], repeat: number): PytorchRate[] | null {
  const script = path.join(__dirname, 'train_pytorch.py');
  const input = JSON.stringify({
    models: jobs.map((j) => pytorchModel(j.key, j.ir, j.windows)),
    batch: BATCH,
    repeat,
    dtypes: ['float32', 'float64'],
    seed: 1,
  });
  try {
    const out = execFileSync(pythonWithTorch(), [script], {
      input,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PytorchRate);
  } catch (error) {
    console.error(`--pytorch: ${(error as Error).message.split('\n')[0]} (install Debian's python3-torch: bash tools/install-toolchains pytorch)`);
    return null;
  }
}

const irParams = (ir: ModelIR) => {
  const shapes = [[ir.input.length, ir.input.channels] as [number, number], ...inferShapes(ir)];
  return ir.layers.reduce((n, layer, i) => n + paramCount(layer, shapes[i]), 0);
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = argv.includes('--quick');
  const withTfjs = !argv.includes('--no-tfjs');
  const withPytorch = argv.includes('--pytorch');
  const baselineRoot = option('baseline') ? path.resolve(option('baseline')!) : null;
  const repeat = Number(option('repeat') ?? 3);
  const only = option('only')?.split(',');
  const precisions = (option('precision')?.split(',') ?? ['float32', 'float64']) as Precision[];
  const engines: EngineUnderTest[] = [
    ...precisions.map((precision, i) => ({ label: `ours ${precision === 'float32' ? 'f32' : 'f64'}`, root: ROOT, precision, twoWorkers: i === 0 })),
    ...(baselineRoot ? [{ label: 'base', root: baselineRoot, precision: 'float64' as const, twoWorkers: false }] : []),
  ];
  const load = loadavg();
  console.log(`training benchmark: batch ${BATCH}, 120×6 windows, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, best of ${repeat}`);
  if (baselineRoot) console.log(`baseline engine (float64): ${baselineRoot}`);
  console.log(`load average before the run: ${load.map((l) => l.toFixed(2)).join(' ')} (≥ 1 means something else was using a core)`);
  const data = trainingWindows(ROOT, BATCH + 8);
  const chosen = models
    .map((m, index) => ({ ...m, index, windows: quick ? 1024 : m.ir.layers.some((l) => l.kind === 'gru') ? 2560 : 5120 }))
    .filter((m) => !only || only.includes(m.key));
  const torch = withPytorch ? measurePytorch(chosen, repeat) : null;
  const rows: string[][] = [];
  for (const { key, name, ir, index, windows } of chosen) {
    const macs = modelCost(ir).macs;
    const best: Rates[] = engines.map(() => ({ one: 0, oneCpu: 0, two: { total: 0, parts: [0, 0] } }));
    for (let round = 0; round < repeat; round++) {
      // Alternate the engines within each round, so all see the same machine.
      for (const [e, engine] of engines.entries()) {
        const job = { model: index, windows, root: engine.root, precision: engine.precision };
        const one = measure(job);
        best[e].one = Math.max(best[e].one, one.wall);
        best[e].oneCpu = Math.max(best[e].oneCpu, one.cpu);
        if (!engine.twoWorkers) continue;
        const two = await measureTwoWorkers(job, 3);
        if (two.total > best[e].two.total) best[e].two = two;
      }
    }
    const tfjsRate = withTfjs ? await measureTfjs(data, ir) : NaN;
    const nsPerMac = (rate: number) => (1e9 / rate / macs).toFixed(2);
    const total = (r: Rates) => r.two.total;
    const cells = [name, `${(macs / 1000).toFixed(0)}k`];
    engines.forEach((engine, e) => {
      cells.push(best[e].one.toFixed(0), best[e].oneCpu.toFixed(0), nsPerMac(best[e].oneCpu));
      if (engine.twoWorkers)
        cells.push(`${total(best[e]).toFixed(0)} (${best[e].two.parts.map((r) => r.toFixed(0)).join(', ')})`, `${(total(best[e]) / best[e].one).toFixed(2)}×`);
    });
    if (withTfjs) cells.push(tfjsRate.toFixed(1), `${(best[0].one / tfjsRate).toFixed(0)}×`);
    if (torch) {
      const rate = (dtype: Precision) => torch.find((t) => t.key === key && t.dtype === dtype)!;
      const ours = irParams(ir);
      for (const dtype of ['float32', 'float64'] as const) {
        if (rate(dtype).params !== ours)
          throw new Error(`${name}: PyTorch's model has ${rate(dtype).params} parameters, ours ${ours}: not the same architecture`);
      }
      cells.push(String(ours), rate('float32').samplesPerCpuSecond.toFixed(0), rate('float64').samplesPerCpuSecond.toFixed(0));
      engines.forEach((engine, e) => {
        if (engine.root === ROOT) cells.push(`${(best[e].oneCpu / rate(engine.precision).samplesPerCpuSecond).toFixed(2)}×`);
      });
    }
    rows.push(cells);
    console.log(`  ${name}: ${engines.map((engine, e) => `${engine.label} ${best[e].oneCpu.toFixed(0)}`).join(', ')} samples per CPU-second on one thread`);
  }
  const header = ['model', 'MACs'];
  for (const engine of engines) {
    header.push(`${engine.label} 1 thread /s`, 'per CPU-s', 'ns/MAC');
    if (engine.twoWorkers) header.push(`${engine.label} 2 workers /s`, '2w ÷ 1');
  }
  if (withTfjs) header.push('tfjs-cpu /s', 'ours ÷ tfjs');
  if (torch) {
    header.push('params (= torch)', 'torch f32 per CPU-s', 'torch f64 per CPU-s');
    for (const engine of engines) if (engine.root === ROOT) header.push(`${engine.label} ÷ torch ${engine.precision === 'float32' ? 'f32' : 'f64'}`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${rows.map(line).join('\n')}`);
  console.log(
    "ns/MAC: CPU time per training sample (forward + backward + update) ÷ the model's inference MACs. Ratios to torch are per CPU-second, same precision.",
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  const { job, rounds, counter, parties } = workerData as { job: Job; rounds: number; counter: Int32Array; parties: number };
  parentPort!.postMessage(measureRounds(job, rounds, { counter, parties }));
}
