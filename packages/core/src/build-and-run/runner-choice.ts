import type { Log } from '../common/log';
import { UserError } from '../common/errors';
import { HARNESS_RESULT_LINE } from '../codegen/emit-harness';
import type { BoardDefinition, FlashRunner } from '../spec/types';
import { detectBoardRunner } from './board-runner';
import { firmwareTarget } from './firmware-target';
import type { FirmwareRun } from './run-result';

/** Where flash-test runs the golden vectors: which runner, what core executed them, and whether they all matched. */

export type ExecutedCore = ReturnType<typeof executedCore>;

/** Throws unless the harness printed every vector bit-exact and exited 0; returns its result line. */
export function bitExactOutcome(run: FirmwareRun, board: BoardDefinition, kind: 'qemu' | 'host'): RegExpExecArray {
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
export function executedCore(board: BoardDefinition, kind: 'qemu' | 'host') {
  if (kind === 'host') return { core: 'x86-64 (native, ASan/UBSan)', boardCore: board.cpu, standIn: board.name !== 'host', emulator: null };
  const machine = firmwareTarget(board).machine!;
  const core = machine.cpu.split(',')[0];
  const sameCore = core === board.cpu || (core === 'rv32' && board.cpu.startsWith('rv32'));
  return { core, boardCore: board.cpu, standIn: !sameCore, emulator: `${machine.qemuBinary} -M ${machine.name} -cpu ${machine.cpu}` };
}

export type RunnerChoice = { kind: 'qemu' | 'host'; why: string } | { kind: 'skipped'; reason: string };

/** `auto`: QEMU when the board has an emulator here, else a native build (the memory model still judges the board). */
export async function chooseRunner(wanted: FlashRunner, board: BoardDefinition, log: Log): Promise<RunnerChoice> {
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
