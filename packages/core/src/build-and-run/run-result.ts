/** What running a firmware image (on QEMU or natively) returns. */

/** The platform layer's fault / trap handlers exit with this (firmware/platform/include/platform.h). */
export const PLATFORM_EXIT_FAULT = 250;

export interface InstructionCounts {
  /** 'plugin': the TCG plugin; 'exec-trace': QEMU's one-instruction-per-block exec log (the fallback). */
  method: 'plugin' | 'exec-trace';
  /** Guest instructions executed from reset to exit (QEMU's reset code included). */
  total: number;
  /** The running total at each platform_marker() call, in call order (the call's own instruction included). */
  markers: number[];
  /** Instructions between consecutive markers: markers[i + 1] − markers[i]. */
  betweenMarkers: number[];
  /** Instructions executed inside each requested function's own code (callees not included). */
  functions: Record<string, number>;
}

export interface FirmwareRun {
  exitCode: number;
  /** The program's output (semihosting on the emulators, stdout natively). */
  stdout: string;
  /** The emulator's or process's stderr: fault reports, sanitizer reports. */
  stderr: string;
  /** The fault handler's report ("platform: HardFault CFSR=0x…") when the program crashed, else null. */
  fault: string | null;
  /** null when not counted (host runs, or counting off). */
  instructions: InstructionCounts | null;
  durationMs: number;
}

export function differences(values: number[]): number[] {
  return values.slice(1).map((value, index) => value - values[index]);
}

/** The first line the platform's fault handlers print, if any. */
export function faultReport(stderr: string): string | null {
  const line = stderr.split('\n').find((candidate) => candidate.startsWith('platform: '));
  return line === undefined ? null : line.trim();
}
