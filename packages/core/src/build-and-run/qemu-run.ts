/**
 * Runs a firmware ELF on the board's QEMU machine: semihosting output is the program's stdout, the semihosting
 * exit status (SYS_EXIT_EXTENDED) is QEMU's exit status, and instructions are counted by the TCG plugin
 * (insn-count-plugin.ts) or, without it, from QEMU's exec trace. Counts are exactly repeatable run to run: TCG
 * runs one vCPU deterministically and nothing in the firmware depends on time.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../common/errors';
import { makeTempDir, removeTempDir } from '../common/temp-paths';
import { defaultWorkspaceRoot } from '../common/workspace';
import type { BoardDefinition } from '../spec/types';
import { countExecTrace, execTraceArgs } from './exec-trace-count';
import { firmwareTarget, FirmwareTarget } from './firmware-target';
import { instructionCounter, qemuVersion } from './insn-count-plugin';
import { differences, faultReport, FirmwareRun, InstructionCounts } from './run-result';
import { ElfSymbol, parseNmSymbols } from './symbols';
import { requireTools } from './toolchains';

export interface RunOnQemuOptions {
  board: BoardDefinition;
  elf: string;
  /** QEMU is killed after this long (default 30 s). */
  timeoutMs?: number;
  /** 'auto' (default): plugin, else exec trace; 'off': no counting. */
  count?: 'auto' | 'exec-trace' | 'off';
  /** Functions (ELF symbols) whose own instructions to count, e.g. a kernel's. */
  countFunctions?: string[];
  /** The marker function (default platform_marker); its calls are recorded when it is in the ELF. */
  markerSymbol?: string;
  workspaceRoot?: string;
}

/** QEMU did not exit in time, or could not start or load the image. */
export class EmulatorError extends UserError {
  override name = 'EmulatorError';
}

export const MARKER_SYMBOL = 'platform_marker';

/** The QEMU command line for a board and ELF (without counting options). */
export function qemuCommand(target: FirmwareTarget, elf: string): { binary: string; args: string[] } {
  const machine = target.machine;
  if (machine === null) throw new Error(`board ${target.board.name} runs natively, not on QEMU: use runOnHost`);
  return {
    binary: machine.qemuBinary,
    args: [
      '-M',
      machine.name,
      ...(machine.qemuBinary === 'qemu-system-riscv32' ? ['-bios', 'none'] : []),
      '-cpu',
      machine.cpu,
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      'none',
      // target=native: semihosting calls are served by QEMU itself, not forwarded to an attached gdb.
      '-semihosting-config',
      'enable=on,target=native',
      '-kernel',
      elf,
    ],
  };
}

export async function runOnQemu(options: RunOnQemuOptions): Promise<FirmwareRun> {
  const target = firmwareTarget(options.board);
  const { binary, args } = qemuCommand(target, options.elf);
  await requireTools([target.machine!.qemuBinary], `running ${options.board.name} firmware`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const count = options.count ?? 'auto';
  const workspaceRoot = options.workspaceRoot ?? defaultWorkspaceRoot;

  const work = await makeTempDir('qemu');
  try {
    const symbols = count === 'off' ? [] : await readSymbols(target, options.elf);
    const markerAddress = symbolAddress(symbols, options.markerSymbol ?? MARKER_SYMBOL, target);
    const ranges = (options.countFunctions ?? []).map((name) => functionRange(symbols, name, target, options.elf));

    let countingArgs: string[] = [];
    let method: InstructionCounts['method'] | null = null;
    const pluginOut = path.join(work, 'counts.json');
    const traceLog = path.join(work, 'exec.log');
    if (count !== 'off') {
      const counter = count === 'exec-trace' ? null : await instructionCounter(binary, workspaceRoot);
      if (counter !== null && counter.kind === 'plugin') {
        method = 'plugin';
        const pluginArgs = [
          `out=${pluginOut}`,
          ...(markerAddress === null ? [] : [`marker=${markerAddress.toString(16)}`]),
          ...ranges.map((range) => `range=${range.low.toString(16)}-${range.high.toString(16)}`),
        ];
        countingArgs = ['-plugin', [counter.library, ...pluginArgs].join(',')];
      } else {
        method = 'exec-trace';
        countingArgs = execTraceArgs(counter?.qemuVersion ?? (await qemuVersion(binary)), traceLog);
      }
    }

    const started = Date.now();
    const result = await execa(binary, [...countingArgs, ...args], {
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      stripFinalNewline: false,
    });
    const durationMs = Date.now() - started;
    const stdout = String(result.stdout);
    const stderr = String(result.stderr);
    if (result.timedOut) {
      throw new EmulatorError(
        `${binary} -M ${target.machine?.name} did not finish ${options.elf} within ${timeoutMs.toLocaleString('en-US')} ms and was killed: ` +
          `the program loops or waits forever${stdout === '' ? '' : `; its output so far:\n${stdout}`}`,
      );
    }
    if (result.exitCode === undefined || result.signal !== undefined) {
      throw new EmulatorError(`${binary} ended by signal ${result.signal ?? 'unknown'} running ${options.elf}:\n${stderr}`);
    }
    const qemuError = stderr.split('\n').find((line) => line.startsWith(`${binary}:`));
    if (qemuError !== undefined && result.exitCode !== 0) {
      throw new EmulatorError(`${binary} could not run ${options.elf}: ${qemuError.slice(binary.length + 1).trim()}`);
    }

    let instructions: InstructionCounts | null = null;
    if (method === 'plugin') {
      instructions = await readPluginCounts(pluginOut, ranges);
    } else if (method === 'exec-trace') {
      const traced = await countExecTrace(traceLog, { markerAddress, ranges });
      instructions = { method, total: traced.total, markers: traced.markers, betweenMarkers: differences(traced.markers), functions: traced.ranges };
    }
    return { exitCode: result.exitCode, stdout, stderr, fault: faultReport(stderr), instructions, durationMs };
  } finally {
    await removeTempDir(work);
  }
}

interface PluginOutput {
  instructions: number;
  outOfMemory: boolean;
  markers: { address: number; hits: number[] }[];
  ranges: { low: number; high: number; instructions: number }[];
}

async function readPluginCounts(file: string, ranges: { name: string; low: number; high: number }[]): Promise<InstructionCounts> {
  let parsed: PluginOutput;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8')) as PluginOutput;
  } catch (error) {
    throw new EmulatorError(`the instruction-count plugin wrote no counts (${(error as Error).message}): did QEMU exit abnormally?`);
  }
  if (parsed.outOfMemory) throw new EmulatorError('the instruction-count plugin ran out of memory recording marker hits');
  const markers = parsed.markers[0]?.hits ?? [];
  const functions = Object.fromEntries(ranges.map((range, index) => [range.name, parsed.ranges[index]?.instructions ?? 0]));
  return { method: 'plugin', total: parsed.instructions, markers, betweenMarkers: differences(markers), functions };
}

async function readSymbols(target: FirmwareTarget, elf: string): Promise<ElfSymbol[]> {
  const nm = await execa(`${target.toolPrefix}nm`, ['-S', '-n', '--defined-only', elf], { stdin: 'ignore' });
  return parseNmSymbols(String(nm.stdout));
}

/** Code address of a function symbol (Thumb addresses without their mode bit), or null when absent. */
function symbolAddress(symbols: ElfSymbol[], name: string, target: FirmwareTarget): number | null {
  const symbol = symbols.find((candidate) => candidate.name === name && /[Tt]/.test(candidate.type));
  if (symbol === undefined) return null;
  return target.arch === 'arm-m' ? symbol.address & ~1 : symbol.address;
}

function functionRange(symbols: ElfSymbol[], name: string, target: FirmwareTarget, elf: string): { name: string; low: number; high: number } {
  const symbol = symbols.find((candidate) => candidate.name === name && /[Tt]/.test(candidate.type));
  if (symbol === undefined || symbol.bytes === null) {
    throw new UserError(`cannot count instructions of ${name}: no sized function of that name in ${elf} (inlined or removed?)`);
  }
  const low = target.arch === 'arm-m' ? symbol.address & ~1 : symbol.address;
  return { name, low, high: low + symbol.bytes };
}
