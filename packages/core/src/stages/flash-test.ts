import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { UserError } from '../common/errors';
import { makeTempDir, removeTempDir } from '../common/temp-paths';
import { silentLog, type Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { defaultWorkspaceRoot } from '../common/workspace';
import { EXIT_HOOK_DEFINE } from '../firmware/emit-build-files';
import { HARNESS_RESULT_LINE, emitGoldenHeader, emitGoldenVectors, harnessInput } from '../firmware/emit-harness';
import { detectBoardRunner } from '../flash/board-runner';
import { buildFirmware, type FirmwareBuild } from '../flash/build';
import { firmwareTarget } from '../flash/firmware-target';
import { runOnHost } from '../flash/host-run';
import { LinkOverflowError } from '../flash/link-failure';
import { findSymbol, type MemoryUsage } from '../flash/memory-usage';
import { runOnQemu } from '../flash/qemu-run';
import type { FirmwareRun } from '../flash/run-result';
import { loadBoard } from '../spec/board';
import type { BoardDefinition, FlashRunner } from '../spec/types';
import { FIRMWARE_MANIFEST_FILE, type FirmwareManifest } from './emit-firmware';
import { layerMacs } from '../model/cost';
import { pointerBytes, postProcessingBytes, resultBytes } from '../model/memory';
import { lowerToOps, opsBeforeExit } from '../model/ops';
import { GOLDEN_FILE, QUANTIZED_MODEL_FILE, type GoldenVector } from './quantize';
import { readStageOutput } from './read-stage-output';
import type { QuantizedModel } from '../quantize/quantized-model';
import { C_KERNELS, kernelForOp, OP_KERNEL_FUNCTIONS } from '../quantize/c-kernel-abi';

export interface FlashTestStageInput {
  experiment: string;
  runner: FlashRunner;
  /** At most this many golden vectors run (the first ones); default all. */
  vectors?: number;
  board: BoardDefinition;
  /** The emit-firmware stage's output (the package under test). */
  firmwareDir: string;
  /** The quantize stage's output (the golden vectors and the model, for MAC counts). */
  quantizeDir: string;
  outDir: string;
  workspaceRoot?: string;
  /** QEMU / the native run is killed after this long. */
  timeoutMs?: number;
  log?: Log;
}

/** The runtime kernels whose own instructions are counted: every op's, and the exits' evidential head. */
const KERNELS = [...new Set([...OP_KERNEL_FUNCTIONS, C_KERNELS.evidential_head.function])];

/** The kernels that do MACs, by op kind (instructions per MAC are reported for these). */
const MAC_KINDS = ['conv1d', 'depthwise1d', 'pointwise1d', 'dense', 'gru'] as const;

/**
 * The `flash-test` stage: builds the emitted package's golden-vector test program for the board, runs it on QEMU
 * (the STM32s, the ESP32-C3), natively under ASan/UBSan (the host, or boards without an emulator) or on an attached
 * board, and requires every golden vector to match the integer reference interpreter bit for bit. It then compares
 * the linked image with the memory model — the flash blob and the arena must be exactly the predicted sizes — and
 * reports flash, SRAM, and instructions per inference, per exit and per MAC from the QEMU instruction counter.
 */
export async function runFlashTestStage(
  input: FlashTestStageInput,
): Promise<{ runner: string; passed: number; vectors: number } | { runner: 'board'; skipped: string }> {
  const log = input.log ?? silentLog;
  const workspaceRoot = input.workspaceRoot ?? defaultWorkspaceRoot;
  const manifest = await readStageOutput<FirmwareManifest>(path.join(input.firmwareDir, FIRMWARE_MANIFEST_FILE), 'the firmware package', 'emit-firmware');
  const model = await readStageOutput<QuantizedModel>(path.join(input.quantizeDir, QUANTIZED_MODEL_FILE), 'the quantised model', 'quantize');
  const golden = await readStageOutput<{ vectors: GoldenVector[] }>(path.join(input.quantizeDir, GOLDEN_FILE), 'the golden vectors', 'quantize');
  const runner = await chooseRunner(input.runner, input.board, log);
  if (runner.kind === 'skipped') {
    log(`flash-test: skipped: ${runner.reason}`);
    await replaceDirAtomic(input.outDir, async (dir) => {
      await writeFile(
        path.join(dir, 'report.json'),
        `${canonicalJson({ format: 'nx-tinyml/flash-test@1', experiment: input.experiment, board: input.board.name, runner: 'board', skipped: runner.reason }, 1)}\n`,
      );
    });
    return { runner: 'board', skipped: runner.reason };
  }
  const buildBoard = runner.kind === 'host' ? await loadBoard(workspaceRoot, 'host') : input.board;
  log(
    `flash-test: runner ${runner.kind}${runner.kind === 'host' && input.board.name !== 'host' ? ` (${input.board.name} has no emulator here; native build with ASan/UBSan, memory checked against ${input.board.name})` : ''}: ${runner.why}`,
  );

  const buildDir = await makeTempDir('flash');
  // Two long steps, building and running; the heartbeat shows they are alive (QEMU runs can take minutes).
  const progress = startProgress(`flash-test: build and run on ${runner.kind}, steps`, 2, { log: progressLog(log) });
  try {
    const inPackage = (file: string) => path.join(input.firmwareDir, file);
    const { layout } = manifest;
    const vectors = golden.vectors.slice(0, input.vectors ?? golden.vectors.length);
    let testSources = layout.testSources.map(inPackage);
    if (vectors.length < golden.vectors.length) {
      // Fewer vectors than the package holds: the package's harness over the first ones. Both C files sit beside
      // the subset's header, since #include "…" looks in the including file's folder first.
      const subsetDir = path.join(buildDir, 'golden-subset');
      await mkdir(subsetDir);
      await writeFile(path.join(subsetDir, 'golden_vectors.c'), emitGoldenVectors(harnessInput(model, vectors, manifest.postProcessing)));
      await writeFile(path.join(subsetDir, 'golden_vectors.h'), emitGoldenHeader(harnessInput(model, vectors, manifest.postProcessing)));
      await copyFile(inPackage('test/harness.c'), path.join(subsetDir, 'harness.c'));
      testSources = testSources.map((file) => path.join(subsetDir, path.basename(file)));
    }
    const goldenRun = async (board: BoardDefinition, kind: 'qemu' | 'host', outDir: string, onBuilt = () => {}) => {
      const build = await buildFirmware({
        board,
        sources: [...[...layout.modelSources, ...layout.runtimeSources].map(inPackage), ...testSources],
        includeDirs: [...layout.includeDirs.model, 'test'].map(inPackage),
        outDir,
        defines: { [EXIT_HOOK_DEFINE.name]: EXIT_HOOK_DEFINE.value },
        workspaceRoot,
      }).catch((error: unknown) => {
        throw staticRamUnderestimated(error, board, workspaceRoot) ?? error;
      });
      checkStaticRam(build, board, model, manifest, workspaceRoot);
      onBuilt();
      const timeoutMs = input.timeoutMs ?? 120_000;
      const run: FirmwareRun =
        kind === 'qemu'
          ? await runOnQemu({
              board,
              elf: build.elf,
              timeoutMs,
              count: 'auto',
              countFunctions: KERNELS.filter((k) => findSymbol(build.memory, k)),
              workspaceRoot,
            })
          : await runOnHost({ elf: build.elf, timeoutMs });
      return { build, run, outcome: bitExactOutcome(run, board, kind) };
    };
    const { build, run, outcome } = await goldenRun(buildBoard, runner.kind, buildDir, () => progress.update(1, 'built'));
    progress.finish();
    const memory = checkMemory(build, manifest, input.board);
    const executed = executedCore(buildBoard, runner.kind);
    // A board emulated on a stand-in core (the ESP32-S2's LX7 on QEMU's lx106) also runs natively under ASan/UBSan:
    // undefined behaviour the stand-in happens to tolerate must not pass unnoticed.
    const second =
      executed.standIn && input.runner === 'auto' ? await goldenRun(await loadBoard(workspaceRoot, 'host'), 'host', path.join(buildDir, 'host')) : null;
    const secondRunner = second
      ? { runner: 'host' as const, builtFor: 'host', passed: Number(second.outcome[1]), total: Number(second.outcome[2]), bitExact: true }
      : null;
    const instructions = run.instructions ? instructionReport(run, model, vectors) : null;
    const report = {
      format: 'nx-tinyml/flash-test@1',
      experiment: input.experiment,
      board: input.board.name,
      runner: runner.kind,
      builtFor: buildBoard.name,
      executed,
      vectors: { passed: Number(outcome[1]), total: Number(outcome[2]), bitExact: true },
      secondRunner,
      memory,
      instructions,
    };
    await replaceDirAtomic(input.outDir, async (dir) => {
      await writeFile(path.join(dir, 'report.json'), `${canonicalJson(report, 1)}\n`);
      await writeFile(path.join(dir, 'summary.md'), flashTestMarkdown(report));
      await writeFile(path.join(dir, 'output.txt'), run.stdout);
      await copyFile(build.elf, path.join(dir, 'firmware.elf'));
      await copyFile(build.mapFile, path.join(dir, 'firmware.map'));
      await writeFile(path.join(dir, 'size.txt'), build.sizeText);
    });
    log(
      `flash-test: ${outcome[1]}/${outcome[2]} golden vectors bit-exact on ${buildBoard.name} (${runner.kind}: ${executed.core}${executed.standIn ? `, standing in for the board's ${executed.boardCore}` : ''}); ` +
        (secondRunner ? `${secondRunner.passed}/${secondRunner.total} bit-exact natively under ASan/UBSan; ` : '') +
        `blob ${memory.blob.linked} B = predicted, arena ${memory.arena.linked} B = predicted` +
        (memory.builtWith === 'host' ? '' : `; flash ${memory.flash.used} B, SRAM ${memory.sram.used} B, runtime code ${memory.runtime.measured} B`) +
        (instructions
          ? `; ${Math.round(instructions.perInference.mean)} instructions per inference, ${instructions.perMac.conv1d?.toFixed(2) ?? '–'} per conv1d MAC`
          : ''),
    );
    return { runner: runner.kind, passed: Number(outcome[1]), vectors: Number(outcome[2]) };
  } finally {
    progress.stop();
    await removeTempDir(buildDir);
  }
}

/** Throws unless the harness printed every vector bit-exact and exited 0; returns its result line. */
function bitExactOutcome(run: FirmwareRun, board: BoardDefinition, kind: 'qemu' | 'host'): RegExpExecArray {
  const outcome = HARNESS_RESULT_LINE.exec(run.stdout);
  const mismatches = run.stdout.split('\n').filter((line) => line.startsWith('MISMATCH'));
  if (run.exitCode !== 0 || !outcome || Number(outcome[1]) !== Number(outcome[2])) {
    throw new UserError(
      `flash-test: the firmware does not compute what the integer reference interpreter computes on ${board.name} (${kind}): ` +
        `${outcome ? `${outcome[1]}/${outcome[2]} vectors bit-exact` : `no result line`}, exit status ${run.exitCode}` +
        `${run.fault ? `, ${run.fault}` : ''}\n${[...mismatches.slice(0, 20), ...(run.stderr.trim() ? [run.stderr.trim().split('\n').slice(-10).join('\n')] : [])].join('\n')}`,
    );
  }
  return outcome;
}

/**
 * Which core actually executed the firmware. QEMU's Xtensa is an lx106 (the ESP8266's core) standing in for the
 * ESP32-S2's LX7: the same base ISA and the code this compiler emits for it, but the LX7's options (hardware divider,
 * MAC16, windowed registers, FPU) are not used, so its instruction counts are the lx106's, not the LX7's.
 */
function executedCore(board: BoardDefinition, kind: 'qemu' | 'host') {
  if (kind === 'host') return { core: 'x86-64 (native, ASan/UBSan)', boardCore: board.cpu, standIn: board.name !== 'host', emulator: null };
  const machine = firmwareTarget(board).machine!;
  const core = machine.cpu.split(',')[0];
  const sameCore = core === board.cpu || (core === 'rv32' && board.cpu.startsWith('rv32'));
  return { core, boardCore: board.cpu, standIn: !sameCore, emulator: `${machine.qemuBinary} -M ${machine.name} -cpu ${machine.cpu}` };
}

type RunnerChoice = { kind: 'qemu' | 'host'; why: string } | { kind: 'skipped'; reason: string };

/** `auto`: QEMU when the board has an emulator here, else a native build (the memory model still judges the board). */
async function chooseRunner(wanted: FlashRunner, board: BoardDefinition, log: Log): Promise<RunnerChoice> {
  const emulated = (() => {
    try {
      return firmwareTarget(board).machine !== null;
    } catch {
      return false;
    }
  })();
  if (wanted === 'board') {
    const detection = await detectBoardRunner(board);
    if (detection.status === 'skipped') return { kind: 'skipped', reason: detection.reason };
    throw new UserError(
      `flash-test: ${detection.tool} is installed, but running the golden vectors on an attached ${board.name} is not supported yet; use runner qemu or host`,
    );
  }
  if (wanted === 'qemu') {
    if (!emulated)
      throw new UserError(`flash-test.runner: qemu: board ${board.name} has no emulator here (board.yaml emulator: ${board.emulator}); use host or board`);
    return { kind: 'qemu', why: `board.yaml emulator ${board.emulator}` };
  }
  if (wanted === 'host') return { kind: 'host', why: 'flash-test.runner: host' };
  const detection = await detectBoardRunner(board);
  if (detection.status !== 'skipped')
    log(`flash-test: ${detection.tool} found; auto still uses the emulator or the host (use runner: board for the attached ${board.name})`);
  return emulated ? { kind: 'qemu', why: `auto: board.yaml emulator ${board.emulator}` } : { kind: 'host', why: 'auto: no emulator for this board' };
}

/**
 * The static RAM a linked image takes besides the model's arena, input and result and the stack: the runtime's,
 * platform's, libc's and harness's .data/.bss with every alignment gap, from RAM's origin to the stack (what the
 * memory model estimates with board.yaml memory.runtimeRamBytes). null when the image lacks one of the model's
 * symbols, or has no .stack section (a native image's span already counts its stack: see build.ts).
 */
function measuredStaticRam(usage: MemoryUsage, board: BoardDefinition): { sram: number; static: number; result: number; postProcessing: number } | null {
  const bytesOf = (name: string) => findSymbol(usage, name)?.bytes;
  const [arena, input, result] = [bytesOf('tinyml_arena'), bytesOf('tinyml_input'), bytesOf('tinyml_result')];
  if (arena === undefined || input === undefined || result === undefined) return null;
  // The alarm rule's state (model.c), which the memory model counts as its own term.
  const postProcessing = ALARM_STATE_SYMBOLS.reduce((total, name) => total + (bytesOf(name) ?? 0), 0);
  const sram = usage.ram.span + ('.stack' in usage.ram.sections ? 0 : board.memory.stackBytes);
  return { sram, static: sram - arena - input - result - postProcessing - board.memory.stackBytes, result, postProcessing };
}

/** The alarm state the memory model predicts on the board built for (a native run of an embedded package has 8-byte pointers). */
function predictedAlarmState(manifest: FirmwareManifest, model: QuantizedModel, board: BoardDefinition): number {
  const events = model.ir.head === 'evidential' ? (model.ir.events ?? 0) : 0;
  return manifest.postProcessing ? postProcessingBytes(manifest.postProcessing.n, events, pointerBytes(board)) : 0;
}

const ALARM_STATE_SYMBOLS = ['tinyml_alarm_history', 'tinyml_alarm_votes', 'tinyml_alarm_hold', 'tinyml_alarm_state'];

function staticRamMessage(board: BoardDefinition, measured: number, workspaceRoot: string): string {
  const file = path.relative(workspaceRoot, board.file) || board.file;
  const estimate = board.memory.runtimeRamBytes;
  return (
    `flash-test: ${file} memory.runtimeRamBytes is ${estimate} bytes, but this build for ${board.name} takes ${measured} bytes of static RAM besides ` +
    `the model's arena, input, result and the stack (runtime, platform, libc and harness .data/.bss, alignment).\n` +
    `The memory model under-counts SRAM by ${measured - estimate} bytes, so models it accepts can fail to link: raise memory.runtimeRamBytes in ${file} to at least ${measured}.`
  );
}

/**
 * A RAM overflow whose cause is board.yaml's static-RAM estimate: the measuring re-link shows more static RAM than
 * memory.runtimeRamBytes. Then the model was judged with too small a figure, and that is what the user must fix.
 */
function staticRamUnderestimated(error: unknown, board: BoardDefinition, workspaceRoot: string): UserError | null {
  if (!(error instanceof LinkOverflowError) || error.wanted === null || !error.overflows.some((overflow) => overflow.region === 'RAM')) return null;
  const measured = measuredStaticRam(error.wanted, board);
  if (measured === null || measured.static <= board.memory.runtimeRamBytes) return null;
  return new UserError(`${staticRamMessage(board, measured.static, workspaceRoot)}\n${error.message}`);
}

/** The linked image's static RAM within board.yaml's estimate, and the result struct exactly the predicted size. */
function checkStaticRam(build: FirmwareBuild, board: BoardDefinition, model: QuantizedModel, manifest: FirmwareManifest, workspaceRoot: string): void {
  const measured = measuredStaticRam(build.memory, board);
  if (measured === null) throw new Error('flash-test: the image lacks tinyml_arena, tinyml_input or tinyml_result');
  const predictedResult = resultBytes(model.ir);
  if (measured.result !== predictedResult) {
    throw new Error(
      `flash-test: the memory model predicted a ${predictedResult}-byte result, the linker placed ${measured.result}: model/memory.ts and the emitted tinyml_result_t disagree`,
    );
  }
  const predictedAlarm = predictedAlarmState(manifest, model, board);
  if (measured.postProcessing !== predictedAlarm) {
    throw new Error(
      `flash-test: the memory model predicted ${predictedAlarm} bytes of alarm state, the linker placed ${measured.postProcessing}: model/memory.ts postProcessingBytes and emit-model.ts disagree`,
    );
  }
  if (measured.static > board.memory.runtimeRamBytes) throw new UserError(staticRamMessage(board, measured.static, workspaceRoot));
}

/**
 * The linked image against the memory model: the blob and the arena must be exactly the predicted sizes (a
 * mismatch is a bug, not a tolerance); flash and SRAM as linked beside the model's totals and the lower bounds.
 */
function checkMemory(build: FirmwareBuild, manifest: FirmwareManifest, board: BoardDefinition) {
  const size = (name: string) => {
    const symbol = findSymbol(build.memory, name);
    if (!symbol) throw new Error(`flash-test: the image has no symbol ${name}`);
    return symbol.bytes;
  };
  const blob = { predicted: manifest.predicted.blobBytes, linked: size('tinyml_model_blob') };
  const arena = { predicted: manifest.predicted.arenaBytes, linked: size('tinyml_arena') };
  const inputBuffer = { predicted: manifest.predicted.inputBytes, linked: size('tinyml_input') };
  for (const [what, figures] of Object.entries({ blob, arena, input: inputBuffer })) {
    if (figures.linked !== figures.predicted) {
      throw new Error(
        `flash-test: the memory model predicted a ${figures.predicted}-byte ${what}, the linker placed ${figures.linked}: the planner and the emitter disagree`,
      );
    }
  }
  const objectFlash = (match: (object: string) => boolean) => build.memory.objects.filter((o) => match(o.object)).reduce((n, o) => n + o.flash, 0);
  const runtimeCode = objectFlash((o) => /[/\\]runtime[/\\][^/\\]+\.c$/.test(o));
  const modelCode = objectFlash((o) => /[/\\]model[/\\]model\.c$/.test(o)) - blob.linked;
  const predictedFlash = manifest.predicted.flash as { weights: number; total: number; runtimeCode: number };
  const predictedSram = manifest.predicted.sram as { arena: number; input: number; result: number; postProcessing?: number; static: number; stack: number };
  const measuredStatic = measuredStaticRam(build.memory, build.board)!;
  return {
    blob,
    arena,
    input: inputBuffer,
    runtime: { estimateInBoardYaml: board.memory.runtimeCodeBytes, measured: runtimeCode + modelCode, kernels: runtimeCode, modelCode },
    flash: {
      used: build.memory.flash.used,
      capacity: build.memory.flash.capacity,
      predictedTotal: predictedFlash.total,
      modelAndRuntime: blob.linked + runtimeCode + modelCode,
      theoreticalMinimum: predictedFlash.weights + runtimeCode,
      sections: build.memory.flash.sections,
    },
    result: { predicted: predictedSram.result, linked: measuredStatic.result },
    alarmState: { predicted: predictedSram.postProcessing ?? 0, linked: measuredStatic.postProcessing },
    staticRam: { estimateInBoardYaml: build.board.memory.runtimeRamBytes, measured: measuredStatic.static },
    sram: {
      // From RAM's origin to the stack's top, alignment gaps included (what ld checks); the linker script reserves
      // the stack as a .stack section, a native image has none, so it is added.
      used: measuredStatic.sram,
      capacity: build.memory.ram.capacity,
      predicted:
        predictedSram.arena + predictedSram.input + predictedSram.result + (predictedSram.postProcessing ?? 0) + predictedSram.static + predictedSram.stack,
      theoreticalMinimum: manifest.predicted.arenaLowerBound + predictedSram.input + predictedSram.stack,
      sections: build.memory.ram.sections,
    },
    builtWith: build.target.arch,
  };
}

/**
 * Instruction counts from the harness's markers: per vector [start, end] around the deployed inference, then
 * [start, one per exit, end] around the all-exits pass; kernel totals over the whole run divided by the MACs those
 * kernels executed.
 */
function instructionReport(run: FirmwareRun, model: QuantizedModel, vectors: GoldenVector[]) {
  const counts = run.instructions!;
  const exits = model.exits.length;
  const perVector = exits > 0 ? 2 + exits + 2 : 2;
  const markers = counts.markers;
  if (markers.length !== perVector * vectors.length) {
    throw new Error(`flash-test: ${markers.length} instruction markers, expected ${perVector} for each of ${vectors.length} vectors`);
  }
  const deployed: number[] = [];
  const toExit: number[][] = Array.from({ length: exits }, () => []);
  for (let v = 0; v < vectors.length; v++) {
    const m = markers.slice(v * perVector, (v + 1) * perVector);
    deployed.push(m[1] - m[0]);
    for (let k = 0; k < exits; k++) toExit[k].push(m[3 + k] - m[2]);
  }
  const ops = lowerToOps(model.ir);
  const before = exits > 0 ? opsBeforeExit(ops) : [ops];
  const macsByKernel: Record<string, number> = {};
  const addOps = (list: typeof ops) => {
    for (const op of list) {
      const kernel = (MAC_KINDS as readonly string[]).includes(op.kind) ? C_KERNELS[kernelForOp(op.kind)].function : undefined;
      if (kernel) macsByKernel[kernel] = (macsByKernel[kernel] ?? 0) + layerMacs(op.definition, op.inputShape, op.outputShape);
    }
  };
  for (const v of vectors) {
    addOps(before[v.exitTaken ?? 0] ?? ops);
    if (exits > 0) addOps(ops);
  }
  const perMac: Record<string, number | null> & { allLinear?: number | null } = {};
  for (const kind of MAC_KINDS) {
    const kernel = C_KERNELS[kernelForOp(kind)].function;
    const macs = macsByKernel[kernel] ?? 0;
    perMac[kind] = macs > 0 ? (counts.functions[kernel] ?? 0) / macs : null;
  }
  const totalMacs = Object.values(macsByKernel).reduce((a, b) => a + b, 0);
  const kernelInstructions = Object.keys(macsByKernel).reduce((n, k) => n + (counts.functions[k] ?? 0), 0);
  return {
    method: counts.method,
    perInference: stats(deployed),
    perExit: toExit.map((list, k) => ({ exit: k, ...stats(list) })),
    perMac: { ...perMac, allLinear: totalMacs > 0 ? kernelInstructions / totalMacs : null } as Record<string, number | null>,
    kernels: counts.functions,
    macsByKernel,
    total: counts.total,
  };
}

function stats(values: number[]): { mean: number; min: number; max: number } {
  if (values.length === 0) return { mean: 0, min: 0, max: 0 };
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

function flashTestMarkdown(report: {
  experiment: string;
  board: string;
  runner: string;
  builtFor: string;
  executed: ReturnType<typeof executedCore>;
  vectors: { passed: number; total: number };
  secondRunner: { runner: string; passed: number; total: number } | null;
  memory: ReturnType<typeof checkMemory>;
  instructions: ReturnType<typeof instructionReport> | null;
}): string {
  const m = report.memory;
  const i = report.instructions;
  const f = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  return [
    `# flash-test: ${report.experiment}`,
    '',
    `${report.vectors.passed}/${report.vectors.total} golden vectors bit-exact on ${report.builtFor} (${report.runner}${report.builtFor !== report.board ? `, memory judged for ${report.board}` : ''}).`,
    '',
    ...(report.executed.emulator !== null
      ? [
          `Executed core: ${report.executed.core} on \`${report.executed.emulator}\`` +
            (report.executed.standIn
              ? ` — not the board's ${report.executed.boardCore}: the same base ISA, but the ${report.executed.boardCore}'s options (e.g. its hardware divider) are unused, so instruction counts are the ${report.executed.core}'s.`
              : '.'),
          '',
        ]
      : []),
    ...(report.secondRunner
      ? [`Second runner: ${report.secondRunner.passed}/${report.secondRunner.total} bit-exact natively (x86-64, ASan + UBSan).`, '']
      : []),
    '| | predicted (memory model) | linked |',
    '|---|---|---|',
    `| flash blob (weights, biases, quantisation) | ${m.blob.predicted} | ${m.blob.linked} |`,
    `| arena | ${m.arena.predicted} | ${m.arena.linked} |`,
    `| input buffer | ${m.input.predicted} | ${m.input.linked} |`,
    ...(m.builtWith === 'host'
      ? [
          `| runtime + model code | ${m.runtime.estimateInBoardYaml} (board.yaml estimate) | not comparable: x86-64 with sanitizers |`,
          '',
          `Native build: only the blob, arena and input sizes carry over to ${report.board}; code size and SRAM need its own toolchain.`,
        ]
      : [
          `| runtime + model code | ${m.runtime.estimateInBoardYaml} (board.yaml estimate) | ${m.runtime.measured} |`,
          `| flash total | ${m.flash.predictedTotal} | ${m.flash.used} (whole image, harness and vectors included) |`,
          `| result struct | ${m.result.predicted} | ${m.result.linked} |`,
          `| alarm rule state (tinyml_postprocess) | ${m.alarmState.predicted} | ${m.alarmState.linked} |`,
          `| other static RAM (runtime, platform, libc, harness, alignment) | ${m.staticRam.estimateInBoardYaml} (board.yaml runtimeRamBytes, an upper bound) | ${m.staticRam.measured} |`,
          `| SRAM (data + bss + stack) | ${m.sram.predicted} | ${m.sram.used} |`,
          '',
          `Theoretical minimum: SRAM ${m.sram.theoreticalMinimum} B (peak live activations + input + stack), flash ${m.flash.theoreticalMinimum} B (int8 weights + runtime).`,
        ]),
    '',
    ...(i
      ? [
          `Instructions (${i.method}): ${f(i.perInference.mean, 0)} per inference (min ${i.perInference.min}, max ${i.perInference.max}); ` +
            `to reach each exit (all-exits pass): ${i.perExit.map((e) => f(e.mean, 0)).join(' / ')}.`,
          '',
          '| kernel | instructions per MAC |',
          '|---|---|',
          ...Object.entries(i.perMac)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => `| ${k} | ${f(v as number)} |`),
          '',
        ]
      : ['Instructions were not counted (native run).', '']),
  ].join('\n');
}
