import * as path from 'node:path';
import { UserError } from '../common/errors';
import type { FirmwareManifest } from '../codegen/firmware-manifest';
import { pointerBytes, postProcessingBytes, resultBytes } from '../model/memory';
import type { QuantizedModel } from '../quantize/quantized-model';
import type { BoardDefinition } from '../spec/types';
import type { FirmwareBuild } from './build';
import { LinkOverflowError } from './link-failure';
import { findSymbol, type MemoryUsage } from './memory-usage';

/**
 * The linked golden-vector image against the memory model: what must match exactly (blob, arena, input buffer,
 * result struct, alarm state), what board.yaml only estimates (static RAM, runtime code), and the flash and SRAM
 * the image takes beside the model's totals and lower bounds.
 */

export type MemoryCheck = ReturnType<typeof checkMemory>;

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
export function staticRamUnderestimated(error: unknown, board: BoardDefinition, workspaceRoot: string): UserError | null {
  if (!(error instanceof LinkOverflowError) || error.wanted === null || !error.overflows.some((overflow) => overflow.region === 'RAM')) return null;
  const measured = measuredStaticRam(error.wanted, board);
  if (measured === null || measured.static <= board.memory.runtimeRamBytes) return null;
  return new UserError(`${staticRamMessage(board, measured.static, workspaceRoot)}\n${error.message}`);
}

/** The linked image's static RAM within board.yaml's estimate, and the result struct exactly the predicted size. */
export function checkStaticRam(build: FirmwareBuild, board: BoardDefinition, model: QuantizedModel, manifest: FirmwareManifest, workspaceRoot: string): void {
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
export function checkMemory(build: FirmwareBuild, manifest: FirmwareManifest, board: BoardDefinition) {
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
