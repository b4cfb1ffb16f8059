/**
 * int8 kernel benchmark: instructions per MAC of each C runtime kernel on the reference CNN's and a DS-CNN block's
 * layer shapes and a GRU(32), on Cortex-M4 (stm32f446ze, QEMU mps2-an386), Cortex-M7 (stm32h747xi, mps2-an500) and
 * RV32IMC (esp32-c3, QEMU virt), counted exactly by the QEMU TCG plugin: the instructions between the two markers
 * around each kernel call (the call, the kernel and everything it calls), and each kernel function's own
 * instructions (runOnQemu countFunctions). The same program is built twice per core: with firmware/runtime and
 * with the kernels of an earlier commit taken from git (the baseline; default 2d397dc, the plain-C kernels before
 * the DSP rewrite); both must reproduce the TypeScript reference kernels bit for bit, or the benchmark fails.
 * Then the same against CMSIS-NN on the Cortex-M4, synthetic layers and every shipped experiment's model
 * (kernels-vs-cmsis.ts; skipped with one line when its source is not there).
 *   npm run bench:kernels [-- --baseline <git revision>] [--json out.json] [--cmsis-only]
 * Data: seeded random int8 tensors with PTQ-like requantisation (multiplier in [2^30, 2^31), shifts −6…−11,
 * small biases, ReLU ranges); instruction counts do not depend on the values beyond the kernels' branches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultWorkspaceRoot } from '../../packages/core/src/common/workspace';
import { Random } from '../../packages/core/src/common/random';
import { buildFirmware } from '../../packages/core/src/build-and-run/build';
import { runOnQemu } from '../../packages/core/src/build-and-run/qemu-run';
import { quantizeGru } from '../../packages/core/src/quantize/gru-quant';
import {
  KERNEL_FUNCTION,
  KernelCall,
  LinearParams,
  PROGRAM_RESULT_LINE,
  callMacs,
  emitKernelProgram,
} from '../../packages/core/testing/quantize/runtime-program';
import { loadBoard } from '../../packages/core/src/spec/board';
import { compareWithCmsisNn } from './kernels-vs-cmsis';

const ROOT = defaultWorkspaceRoot;
/** The plain-C kernels before the Cortex-M DSP rewrite. */
const DEFAULT_BASELINE = '2d397dc';
const RUNTIMES: Record<'baseline' | 'new', string> = {
  baseline: '',
  new: path.join(ROOT, 'firmware', 'runtime'),
};

/** firmware/runtime as it was at `revision`, extracted into `work` (git archive | tar). */
function baselineRuntime(revision: string, work: string): string {
  const dir = path.join(work, 'baseline-runtime');
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${revision}" firmware/runtime | tar -x -C "${dir}"`]);
  return path.join(dir, 'firmware', 'runtime');
}
const BOARDS = [
  { board: 'stm32f446ze', core: 'Cortex-M4' },
  { board: 'stm32h747xi', core: 'Cortex-M7' },
  { board: 'esp32-c3', core: 'RV32IMC' },
] as const;

function int8s(random: Random, n: number, lo = -128, hi = 127): Int8Array {
  return Int8Array.from({ length: n }, () => lo + random.int(hi - lo + 1));
}

function linear(random: Random, weights: number, channels: number, inputZeroPoint: number): LinearParams {
  const outputZeroPoint = -100 + random.int(40);
  return {
    weights: int8s(random, weights, -127, 127),
    bias: Array.from({ length: channels }, () => random.int(4001) - 2000),
    multiplier: Array.from({ length: channels }, () => (1 << 30) + random.int(1 << 30)),
    shift: Array.from({ length: channels }, () => -6 - random.int(6)),
    inputZeroPoint,
    outputZeroPoint,
    actMin: outputZeroPoint,
    actMax: 127,
  };
}

function conv(random: Random, label: string, inLength: number, channels: number, filters: number, kernel: number): KernelCall {
  const padBefore = Math.floor((kernel - 1) / 2); // `same`, stride 1
  return {
    kind: 'conv1d',
    label,
    inLength,
    channels,
    kernel,
    stride: 1,
    padBefore,
    outChannels: filters,
    outLength: inLength,
    input: int8s(random, inLength * channels),
    linear: linear(random, kernel * channels * filters, filters, -128 + random.int(60)),
  };
}

/** The benchmark's layers (exported for ad-hoc profiling builds with -DTINYML_PROFILE). */
export function benchCalls(): KernelCall[] {
  const random = new Random(2024);
  const gruFloats = Array.from({ length: 3 * 32 * (6 + 32 + 2) }, () => (2 * random.next() - 1) * 0.5);
  const gru = quantizeGru(gruFloats, 6, 32, { scale: 1 / 32, zeroPoint: 3 }, { scale: 2 / 255, zeroPoint: 0 });
  const gruSteps = 4;
  return [
    conv(random, 'conv1d 6→16 k5, 120 steps (reference CNN)', 120, 6, 16, 5),
    conv(random, 'conv1d 16→32 k5, 60 steps (reference CNN)', 60, 16, 32, 5),
    conv(random, 'conv1d 64→64 k3, 30 steps (192 rows: the paired core)', 30, 64, 64, 3),
    {
      kind: 'pointwise1d',
      label: 'pointwise 16→32, 64 steps (DS-CNN)',
      length: 64,
      channels: 16,
      filters: 32,
      input: int8s(random, 64 * 16),
      linear: linear(random, 16 * 32, 32, -128),
    },
    {
      kind: 'depthwise1d',
      label: 'depthwise k3, 32 channels, 64 steps (DS-CNN)',
      inLength: 64,
      channels: 32,
      kernel: 3,
      stride: 1,
      padBefore: 1,
      outChannels: 32,
      outLength: 64,
      input: int8s(random, 64 * 32),
      linear: linear(random, 3 * 32, 32, -128),
    },
    {
      kind: 'pointwise1d',
      label: 'pointwise 32→16, 64 steps (DS-CNN)',
      length: 64,
      channels: 32,
      filters: 16,
      input: int8s(random, 64 * 32),
      linear: linear(random, 32 * 16, 16, -128),
    },
    { kind: 'dense', label: 'dense 32→2 (reference CNN head)', inputs: 32, units: 2, input: int8s(random, 32), linear: linear(random, 32 * 2, 2, -10) },
    {
      kind: 'gru',
      label: `GRU(32) on 6 channels, ${gruSteps} steps`,
      steps: gruSteps,
      inChannels: 6,
      units: 32,
      returnSequences: false,
      input: int8s(random, gruSteps * 6),
      kernel: gru.weights.slice(0, 6 * 96),
      recurrent: gru.weights.slice(6 * 96),
      bias: gru.bias,
      requant: gru.requant,
    },
    // No MACs: reported per output element.
    {
      kind: 'maxpool1d',
      label: 'maxpool 2 on 120×16 (reference CNN)',
      inLength: 120,
      channels: 16,
      pool: 2,
      stride: 2,
      outLength: 60,
      input: int8s(random, 120 * 16),
    },
    { kind: 'globalavgpool', label: 'global average pool 60×32 (reference CNN)', length: 60, channels: 32, input: int8s(random, 60 * 32) },
  ];
}

/** Input elements a pool reads. */
function poolElements(call: KernelCall): number {
  return call.kind === 'maxpool1d' || call.kind === 'avgpool1d'
    ? call.outLength * call.pool * call.channels
    : call.kind === 'globalavgpool'
      ? call.length * call.channels
      : 0;
}

interface Measured {
  /** Instructions between the markers around each call. */
  inclusive: number[];
  /** Each kernel function's own instructions over the whole run. */
  own: Record<string, number>;
}

async function measure(boardName: string, runtime: keyof typeof RUNTIMES, calls: KernelCall[], work: string): Promise<Measured> {
  const board = await loadBoard(ROOT, boardName);
  const dir = path.join(work, `${boardName}-${runtime}`);
  const source = path.join(work, `program-${runtime}-${boardName}.c`);
  // One byte off a word boundary: activations in the arena are 16-aligned, but rows inside them are not.
  writeFileSync(source, emitKernelProgram(calls, { inputMisalignment: 1 }));
  const runtimeDir = RUNTIMES[runtime];
  const { readdirSync } = await import('node:fs');
  const sources = readdirSync(runtimeDir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(runtimeDir, f));
  const image = await buildFirmware({ board, sources: [...sources, source], includeDirs: [runtimeDir], outDir: dir, workspaceRoot: ROOT });
  const kernels = [...new Set(calls.map((c) => KERNEL_FUNCTION[c.kind]))];
  const run = await runOnQemu({ board, elf: image.elf, countFunctions: kernels, timeoutMs: 120_000, workspaceRoot: ROOT });
  const result = PROGRAM_RESULT_LINE.exec(run.stdout);
  if (run.exitCode !== 0 || !result || result[1] !== result[2]) {
    throw new Error(
      `${runtime} kernels on ${boardName}: not bit-exact against the TypeScript reference (exit ${run.exitCode}):\n${run.stdout.slice(0, 2000)}${run.stderr}`,
    );
  }
  const counts = run.instructions;
  if (!counts || counts.method !== 'plugin') throw new Error(`no plugin instruction counts on ${boardName}: run bash tools/install-toolchains firmware`);
  if (counts.markers.length !== 2 * calls.length) throw new Error(`${counts.markers.length} markers for ${calls.length} calls`);
  return { inclusive: calls.map((_, i) => counts.markers[2 * i + 1] - counts.markers[2 * i]), own: counts.functions };
}

async function main(): Promise<void> {
  const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;
  const revision = process.argv.includes('--baseline') ? process.argv[process.argv.indexOf('--baseline') + 1] : DEFAULT_BASELINE;
  const calls = benchCalls();
  const work = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-bench-kernels-'));
  if (process.argv.includes('--cmsis-only')) {
    try {
      console.log((await compareWithCmsisNn(ROOT, work, calls)).join('\n'));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  RUNTIMES.baseline = baselineRuntime(revision, work);
  let cmsisLines: string[];
  const results: {
    board: string;
    core: string;
    label: string;
    kind: string;
    macs: number;
    baseline: number;
    new: number;
    baselineOwn: number;
    newOwn: number;
  }[] = [];
  try {
    for (const { board, core } of BOARDS) {
      const baseline = await measure(board, 'baseline', calls, work);
      const fresh = await measure(board, 'new', calls, work);
      calls.forEach((call, i) => {
        const fn = KERNEL_FUNCTION[call.kind];
        const sameKind = calls.filter((c) => c.kind === call.kind).length;
        results.push({
          board,
          core,
          label: call.label,
          kind: call.kind,
          macs: callMacs(call),
          baseline: baseline.inclusive[i],
          new: fresh.inclusive[i],
          // Own counts are per function over the run; only meaningful per call when the kind occurs once.
          baselineOwn: sameKind === 1 ? baseline.own[fn] : NaN,
          newOwn: sameKind === 1 ? fresh.own[fn] : NaN,
        });
      });
      process.stderr.write(`${board}: measured\n`);
    }
    cmsisLines = await compareWithCmsisNn(ROOT, work, calls);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const f = (v: number) => v.toFixed(2);
  const lines = [
    'Instructions per MAC (QEMU TCG plugin, exact; the whole kernel call: requantisation, edges and call overhead included). MACs as model/cost.ts counts them.',
    '',
    `| kernel call | MACs | ${BOARDS.map((b) => `${b.core} baseline | ${b.core} new | ratio`).join(' | ')} |`,
    `|---|---:|${BOARDS.map(() => '---:|---:|---:').join('|')}|`,
    ...calls
      .filter((call) => callMacs(call) > 0)
      .map((call) => {
        const row = BOARDS.map(({ board }) => {
          const r = results.find((x) => x.board === board && x.label === call.label)!;
          return `${f(r.baseline / r.macs)} | ${f(r.new / r.macs)} | ${f(r.baseline / r.new)}×`;
        });
        return `| ${call.label} | ${callMacs(call)} | ${row.join(' | ')} |`;
      }),
    '',
    'Pools (no MACs): instructions per input element read.',
    '',
    `| kernel call | elements | ${BOARDS.map((b) => `${b.core} baseline | ${b.core} new | ratio`).join(' | ')} |`,
    `|---|---:|${BOARDS.map(() => '---:|---:|---:').join('|')}|`,
    ...calls
      .filter((call) => callMacs(call) === 0)
      .map((call) => {
        const n = poolElements(call);
        const row = BOARDS.map(({ board }) => {
          const r = results.find((x) => x.board === board && x.label === call.label)!;
          return `${f(r.baseline / n)} | ${f(r.new / n)} | ${f(r.baseline / r.new)}×`;
        });
        return `| ${call.label} | ${n} | ${row.join(' | ')} |`;
      }),
    '',
    'Both builds reproduce the TypeScript reference kernels bit for bit on every core (checked in the program).',
    '',
    ...cmsisLines,
  ];
  console.log(lines.join('\n'));
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 1)}\n`);
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
