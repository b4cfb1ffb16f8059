/**
 * The project's kernels against CMSIS-NN on QEMU mps2-an386 (Cortex-M4, the stm32f446ze board): the same program
 * generator (runtime-program.ts), compiler, flags, linker script and TCG-plugin instruction counter for both; the
 * benchmark's synthetic layers and every layer of every shipped experiment's quantised model (its real shapes,
 * weights and requantisation from dist/experiments/<name>/quantize/, inputs the reference interpreter computes for
 * the first golden window). Our outputs must equal the TypeScript reference (else the benchmark fails); CMSIS-NN's
 * are compared with it and reported. Per model: instructions per inference with every exit run, and as deployed
 * (each exit's ops weighted by the int8 exit rates of the quantize report). Code size: flash of the objects each
 * library links; stack: the largest frame of the kernel functions (-fstack-usage) and CMSIS-NN's scratch buffer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildFirmware } from '../../packages/core/src/build-and-run/build';
import { runOnQemu } from '../../packages/core/src/build-and-run/qemu-run';
import type { QuantizedModel } from '../../packages/core/src/quantize/quantized-model';
import { KernelCall, PROGRAM_RESULT_LINE, callMacs, emitKernelProgram } from '../../packages/core/testing/quantize/runtime-program';
import { loadBoard } from '../../packages/core/src/spec/board';
import { CMSIS_SCRATCH_LINE, cmsisImplements, cmsisInvocation, cmsisNnIncludeDirs, cmsisNnSources, cmsisPreamble, findCmsisNn } from './cmsis-nn';
import { ModelCall, modelCalls } from './model-calls';

const BOARD = 'stm32f446ze';
const SCRATCH_BYTES = 16384;

interface Library {
  name: 'ours' | 'cmsis';
  sources: string[];
  includeDirs: string[];
}

interface Measured {
  /** Instructions between each call's markers. */
  instructions: number[];
  /** Calls whose output differs from the TypeScript reference. */
  mismatched: Set<number>;
  /** CMSIS-NN: scratch bytes each call asked for. */
  scratch: number[];
  /** Flash bytes of the library's objects as linked. */
  codeBytes: number;
  /** The largest stack frame among the library's functions. */
  maxFrame: number;
}

async function measure(root: string, library: Library, calls: KernelCall[], dir: string): Promise<Measured> {
  const board = await loadBoard(root, BOARD);
  const source = path.join(dir, `program-${library.name}.c`);
  const cmsis = library.name === 'cmsis';
  writeFileSync(
    source,
    emitKernelProgram(calls, {
      inputMisalignment: 1,
      ...(cmsis ? { invocation: cmsisInvocation, includes: ['arm_nnfunctions.h'], preamble: cmsisPreamble(SCRATCH_BYTES) } : {}),
    }),
  );
  const outDir = path.join(dir, library.name);
  const image = await buildFirmware({
    board,
    sources: [...library.sources, source],
    includeDirs: library.includeDirs,
    outDir,
    workspaceRoot: root,
    cflags: ['-fstack-usage'],
  });
  const run = await runOnQemu({ board, elf: image.elf, timeoutMs: 300_000, workspaceRoot: root });
  const result = PROGRAM_RESULT_LINE.exec(run.stdout);
  const counts = run.instructions;
  if (!result || !counts || counts.method !== 'plugin' || counts.markers.length !== 2 * calls.length) {
    throw new Error(`${library.name} on ${BOARD}: no complete run (exit ${run.exitCode}):\n${run.stdout.slice(0, 2000)}${run.stderr.slice(0, 2000)}`);
  }
  const mismatched = new Set(
    run.stdout
      .split('\n')
      .filter((l) => l.startsWith('MISMATCH'))
      .map((l) => Number(l.split(' ')[1])),
  );
  const scratch = calls.map(() => 0);
  for (const m of run.stdout.matchAll(CMSIS_SCRATCH_LINE)) scratch[Number(m[1])] = Number(m[2]);
  // Objects are named after their sources ("obj/007-conv1d.o", .su beside them; the map report gives the source).
  const stem = (file: string) =>
    path
      .basename(file)
      .replace(/^\d+-/, '')
      .replace(/\.(o|su|c)$/, '');
  const isLibrary = (file: string) => library.sources.some((s) => stem(s) === stem(file));
  const codeBytes = image.memory.objects.filter((o) => isLibrary(o.object)).reduce((sum, o) => sum + o.flash, 0);
  const objDir = path.join(outDir, 'obj');
  const frames = readdirSync(objDir)
    .filter((f) => f.endsWith('.su') && isLibrary(f))
    .flatMap((f) => readFileSync(path.join(objDir, f), 'utf8').split('\n'))
    .filter((line) => line.includes('\t'))
    .map((line) => Number(line.split('\t')[1]));
  return {
    instructions: calls.map((_, i) => counts.markers[2 * i + 1] - counts.markers[2 * i]),
    mismatched,
    scratch,
    codeBytes,
    maxFrame: Math.max(0, ...frames),
  };
}

/** A set of calls measured with both libraries: per call ours, CMSIS-NN's (null where it has no kernel), identical? */
interface Compared {
  calls: KernelCall[];
  ours: Measured;
  cmsis: (number | null)[];
  identical: (boolean | null)[];
  cmsisMeasured: Measured;
}

async function compare(root: string, libraries: { ours: Library; cmsis: Library }, calls: KernelCall[], dir: string): Promise<Compared> {
  execFileSync('mkdir', ['-p', dir]);
  const ours = await measure(root, libraries.ours, calls, dir);
  if (ours.mismatched.size > 0)
    throw new Error(`our kernels differ from the TypeScript reference on: ${[...ours.mismatched].map((i) => calls[i].label).join('; ')}`);
  const cmsisCalls = calls.filter(cmsisImplements);
  const cmsisMeasured = await measure(root, libraries.cmsis, cmsisCalls, dir);
  let j = 0;
  const cmsis: (number | null)[] = [];
  const identical: (boolean | null)[] = [];
  for (const call of calls) {
    if (!cmsisImplements(call)) {
      cmsis.push(null);
      identical.push(null);
      continue;
    }
    cmsis.push(cmsisMeasured.instructions[j]);
    identical.push(!cmsisMeasured.mismatched.has(j));
    j++;
  }
  return { calls, ours, cmsis, identical, cmsisMeasured };
}

/** Work units of a call: MACs, or for pools the input elements read. */
function units(call: KernelCall): { n: number; per: 'MAC' | 'element' } {
  const macs = callMacs(call);
  if (macs > 0) return { n: macs, per: 'MAC' };
  const n =
    call.kind === 'globalavgpool'
      ? call.length * call.channels
      : call.kind === 'maxpool1d' || call.kind === 'avgpool1d'
        ? call.outLength * call.pool * call.channels
        : 1;
  return { n, per: 'element' };
}

const f2 = (v: number) => v.toFixed(2);

function layerRows(c: Compared, labelOf: (call: KernelCall) => string = (call) => call.label): string[] {
  return c.calls.map((call, i) => {
    const { n, per } = units(call);
    const ours = c.ours.instructions[i];
    const theirs = c.cmsis[i];
    const ratio = theirs === null ? '–' : `${f2(theirs / ours)}×`;
    const same = c.identical[i] === null ? 'no CMSIS-NN kernel' : c.identical[i] ? 'yes' : '**no**';
    return `| ${labelOf(call)} | ${n} ${per}s | ${ours} | ${f2(ours / n)} | ${theirs ?? '–'} | ${theirs === null ? '–' : f2(theirs / n)} | ${ratio} | ${same} |`;
  });
}

const LAYER_HEADER = [
  '| layer | work | ours: instructions | per unit | CMSIS-NN: instructions | per unit | CMSIS-NN ÷ ours | outputs identical |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
];

interface ShippedModel {
  name: string;
  model: QuantizedModel;
  input: Int8Array;
  exitRates: number[] | null;
}

function shippedModels(root: string): { models: ShippedModel[]; missing: string[] } {
  const models: ShippedModel[] = [];
  const missing: string[] = [];
  for (const folder of readdirSync(path.join(root, 'projects')).sort()) {
    const spec = readFileSync(path.join(root, 'projects', folder, 'experiment.yaml'), 'utf8');
    const name = /^name:\s*(\S+)/m.exec(spec)?.[1] ?? folder;
    const dir = path.join(root, 'dist', 'experiments', name, 'quantize');
    if (!existsSync(path.join(dir, 'quantized-model.json')) || !existsSync(path.join(dir, 'golden.json'))) {
      missing.push(name);
      continue;
    }
    const model = JSON.parse(readFileSync(path.join(dir, 'quantized-model.json'), 'utf8')) as QuantizedModel;
    const golden = JSON.parse(readFileSync(path.join(dir, 'golden.json'), 'utf8')) as { vectors: { input: number[] }[] };
    const report = existsSync(path.join(dir, 'report.json'))
      ? (JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { int8?: { exitRates?: number[] | null } })
      : {};
    models.push({ name, model, input: Int8Array.from(golden.vectors[0].input), exitRates: report.int8?.exitRates ?? null });
  }
  return { models, missing };
}

/** Instructions per inference: every op (all exits), and as deployed (ops up to each exit weighted by its rate). */
function perInference(
  model: QuantizedModel,
  ops: ModelCall[],
  instructions: (i: number) => number | null,
  fallback: (i: number) => number,
  exitRates: number[] | null,
) {
  const cost = ops.map((_, i) => instructions(i) ?? fallback(i));
  const all = cost.reduce((a, b) => a + b, 0);
  if (!exitRates || model.exits.length === 0) return { all, deployed: all };
  const exitOp = model.exits.map((row) => row.tensor - 1);
  let deployed = 0;
  exitRates.forEach((rate, exit) => {
    deployed += rate * cost.filter((_, i) => ops[i].op <= exitOp[exit]).reduce((a, b) => a + b, 0);
  });
  return { all, deployed };
}

export async function compareWithCmsisNn(root: string, work: string, synthetic: KernelCall[]): Promise<string[]> {
  const found = findCmsisNn(root);
  if (found.dir === null) return [`CMSIS-NN comparison skipped: no CMSIS-NN source in ${found.looked.join(' or ')} (set CMSIS_NN_DIR to a checkout).`];
  const runtimeDir = path.join(root, 'firmware', 'runtime');
  const libraries = {
    ours: {
      name: 'ours' as const,
      sources: readdirSync(runtimeDir)
        .filter((f) => f.endsWith('.c'))
        .map((f) => path.join(runtimeDir, f)),
      includeDirs: [runtimeDir],
    },
    cmsis: { name: 'cmsis' as const, sources: cmsisNnSources(found.dir), includeDirs: [runtimeDir, ...cmsisNnIncludeDirs(found.dir)] },
  };
  const lines = [
    `## Against CMSIS-NN (${found.dir}), Cortex-M4 (QEMU mps2-an386), instructions per kernel call`,
    '',
    'Whole calls between two markers (requantisation, padding, re-layout and call overhead included); per unit = per MAC (model/cost.ts) or per input element for pools. CMSIS-NN runs through its wrappers (the kernel they pick), with its scratch buffer.',
    '',
    '### Synthetic layers',
    '',
    ...LAYER_HEADER,
  ];
  const syntheticResult = await compare(root, libraries, synthetic, path.join(work, 'cmsis-synthetic'));
  lines.push(...layerRows(syntheticResult));
  const { models, missing } = shippedModels(root);
  const summary: string[] = [];
  const sizes: string[] = [];
  for (const shipped of models) {
    const ops = modelCalls(shipped.model, shipped.input, shipped.name);
    const result = await compare(
      root,
      libraries,
      ops.map((o) => o.call),
      path.join(work, `cmsis-${shipped.name}`),
    );
    lines.push(
      '',
      `### ${shipped.name} (dist/experiments/${shipped.name}/quantize)`,
      '',
      ...LAYER_HEADER,
      ...layerRows(result, (call) => call.label.replace(`${shipped.name}: `, '')),
    );
    const ours = perInference(
      shipped.model,
      ops,
      (i) => result.ours.instructions[i],
      () => 0,
      shipped.exitRates,
    );
    // Ops CMSIS-NN has no kernel for run ours in its total too.
    const theirs = perInference(
      shipped.model,
      ops,
      (i) => result.cmsis[i],
      (i) => result.ours.instructions[i],
      shipped.exitRates,
    );
    const slower = result.calls.filter((_, i) => result.cmsis[i] !== null && result.ours.instructions[i] > result.cmsis[i]).map((c) => c.label);
    const differing = result.calls.filter((_, i) => result.identical[i] === false).length;
    summary.push(
      `| ${shipped.name} | ${ops.length} | ${ours.all} | ${theirs.all} | ${f2(theirs.all / ours.all)}× | ${Math.round(ours.deployed)} | ${Math.round(theirs.deployed)} | ${f2(theirs.deployed / ours.deployed)}× | ${slower.length} | ${differing} |`,
    );
    sizes.push(
      `| ${shipped.name} | ${result.ours.codeBytes} | ${result.cmsisMeasured.codeBytes} | ${result.ours.maxFrame} | ${result.cmsisMeasured.maxFrame} + ${Math.max(0, ...result.cmsisMeasured.scratch)} scratch |`,
    );
  }
  if (missing.length > 0) lines.push('', `No quantize output for ${missing.join(', ')} (run npx nx run <name>:quantize first); not compared.`);
  if (summary.length > 0) {
    lines.push(
      '',
      '### Per inference (kernel calls only; exit evaluation not counted)',
      '',
      '| model | kernel calls | ours, all exits | CMSIS-NN, all exits | ratio | ours, as deployed | CMSIS-NN, as deployed | ratio | layers where CMSIS-NN needs fewer | outputs not identical |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...summary,
      '',
      "As deployed: each exit's ops weighted by the int8 exit rates of the quantize report (test windows).",
      '',
      '### Code and stack (the kernels each model links)',
      '',
      '| model | ours: flash bytes | CMSIS-NN: flash bytes | ours: largest stack frame | CMSIS-NN: largest stack frame + scratch buffer |',
      '|---|---:|---:|---:|---:|',
      ...sizes,
    );
  }
  return lines;
}
