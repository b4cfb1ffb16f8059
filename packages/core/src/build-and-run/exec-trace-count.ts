/**
 * Instruction counting without the plugin: with one instruction per translation block and no block chaining,
 * QEMU's `-d exec` log has one "Trace" line per executed instruction,
 *   Trace 0: 0x7f959b000100 [00800408/0000022c/00000110/ff000201] Reset_Handler
 * whose second bracketed field is the guest pc. Counting those lines gives the plugin's figures exactly (checked
 * in qemu-run.test.ts), at the cost of a log of ~70 bytes per instruction.
 */
import { createReadStream } from 'node:fs';
import * as readline from 'node:readline';

export interface TraceCountRequest {
  markerAddress: number | null;
  ranges: { name: string; low: number; high: number }[];
}

export interface TraceCounts {
  total: number;
  markers: number[];
  ranges: Record<string, number>;
}

/** QEMU options for the trace: `-singlestep` before 8.1, the tcg accelerator property after. */
export function execTraceArgs(qemuVersion: string, logFile: string): string[] {
  const [major, minor] = qemuVersion.split('.').map(Number);
  const oneInstructionPerBlock = major > 8 || (major === 8 && minor >= 1) ? ['-accel', 'tcg,one-insn-per-tb=on'] : ['-singlestep'];
  return [...oneInstructionPerBlock, '-d', 'exec,nochain', '-D', logFile];
}

/** Counts the trace in `logFile` line by line (the log is too large to read whole for long runs). */
export async function countExecTrace(logFile: string, request: TraceCountRequest): Promise<TraceCounts> {
  const counts: TraceCounts = { total: 0, markers: [], ranges: Object.fromEntries(request.ranges.map((range) => [range.name, 0])) };
  const lines = readline.createInterface({ input: createReadStream(logFile), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.startsWith('Trace ')) continue;
    const match = /\[[0-9a-f]+\/([0-9a-f]+)\//i.exec(line);
    if (match === null) continue;
    counts.total += 1;
    const pc = parseInt(match[1], 16);
    if (pc === request.markerAddress) counts.markers.push(counts.total);
    for (const range of request.ranges) {
      if (pc >= range.low && pc < range.high) counts.ranges[range.name] += 1;
    }
  }
  return counts;
}
