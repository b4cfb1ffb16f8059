import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { silentLog, type Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { makeTempDir, removeTempDir } from '../common/temp-paths';
import { defaultWorkspaceRoot } from '../common/workspace';
import { readFirmwareManifest } from '../codegen/firmware-manifest';
import { FLASH_REPORT_FORMAT, flashTestLogLine, writeFlashTestReport, writeFlashTestRun, type FlashTestRun } from '../build-and-run/flash-report';
import { goldenTestSources, runGoldenVectors, type GoldenPackage } from '../build-and-run/golden-run';
import { instructionReport } from '../build-and-run/instruction-report';
import { checkMemory } from '../build-and-run/memory-check';
import { chooseRunner, executedCore } from '../build-and-run/runner-choice';
import { readGoldenVectors, readQuantizedModel } from '../quantize/quantized-files';
import { loadBoard } from '../spec/board';
import type { BoardDefinition, FlashRunner } from '../spec/types';

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
  const pkg: GoldenPackage = {
    dir: input.firmwareDir,
    manifest: await readFirmwareManifest(input.firmwareDir),
    model: await readQuantizedModel(input.quantizeDir),
  };
  const golden = await readGoldenVectors(input.quantizeDir);
  const runner = await chooseRunner(input.runner, input.board, log);
  if (runner.kind === 'skipped') {
    log(`flash-test: skipped: ${runner.reason}`);
    const skipped = { format: FLASH_REPORT_FORMAT, experiment: input.experiment, board: input.board.name, runner: 'board', skipped: runner.reason } as const;
    await replaceDirAtomic(input.outDir, (dir) => writeFlashTestReport(dir, skipped));
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
    const vectors = golden.vectors.slice(0, input.vectors ?? golden.vectors.length);
    const testSources = await goldenTestSources(pkg, vectors, golden.vectors.length, buildDir);
    const options = { testSources, workspaceRoot, timeoutMs: input.timeoutMs ?? 120_000 };
    const onBuilt = () => progress.update(1, 'built');
    const { build, run, outcome } = await runGoldenVectors(pkg, { ...options, board: buildBoard, kind: runner.kind, outDir: buildDir, onBuilt });
    progress.finish();
    const memory = checkMemory(build, pkg.manifest, input.board);
    const executed = executedCore(buildBoard, runner.kind);
    // A board emulated on a stand-in core (the ESP32-S2's LX7 on QEMU's lx106) also runs natively under ASan/UBSan:
    // undefined behaviour the stand-in happens to tolerate must not pass unnoticed.
    const host = executed.standIn && input.runner === 'auto' ? await loadBoard(workspaceRoot, 'host') : null;
    const second = host ? await runGoldenVectors(pkg, { ...options, board: host, kind: 'host', outDir: path.join(buildDir, 'host') }) : null;
    const report: FlashTestRun = {
      format: FLASH_REPORT_FORMAT,
      experiment: input.experiment,
      board: input.board.name,
      runner: runner.kind,
      builtFor: buildBoard.name,
      executed,
      vectors: { passed: Number(outcome[1]), total: Number(outcome[2]), bitExact: true },
      secondRunner: second ? { runner: 'host', builtFor: 'host', passed: Number(second.outcome[1]), total: Number(second.outcome[2]), bitExact: true } : null,
      memory,
      instructions: run.instructions ? instructionReport(run, pkg.model, vectors) : null,
    };
    await replaceDirAtomic(input.outDir, (dir) => writeFlashTestRun(dir, report, run, build));
    log(flashTestLogLine(report));
    return { runner: runner.kind, passed: report.vectors.passed, vectors: report.vectors.total };
  } finally {
    progress.stop();
    await removeTempDir(buildDir);
  }
}
