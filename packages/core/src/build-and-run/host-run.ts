/**
 * Runs a host-board build natively. It is compiled with ASan and UBSan (firmware-target.ts); their reports end
 * the process with SANITIZER_EXIT_CODE so that they cannot pass for the program's own exit status.
 */
import { execa } from 'execa';
import { EmulatorError } from './qemu-run';
import { faultReport, FirmwareRun } from './run-result';

export const SANITIZER_EXIT_CODE = 251;

export interface RunOnHostOptions {
  elf: string;
  timeoutMs?: number;
}

export interface HostRun extends FirmwareRun {
  /** The first sanitizer report line ("ERROR: AddressSanitizer: …", "…: runtime error: …"), or null. */
  sanitizer: string | null;
}

export async function runOnHost(options: RunOnHostOptions): Promise<HostRun> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = Date.now();
  const result = await execa(options.elf, [], {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stripFinalNewline: false,
    env: {
      ASAN_OPTIONS: `exitcode=${SANITIZER_EXIT_CODE}:detect_leaks=1:abort_on_error=0`,
      UBSAN_OPTIONS: `exitcode=${SANITIZER_EXIT_CODE}:print_stacktrace=1:halt_on_error=1`,
    },
  });
  const stdout = String(result.stdout);
  const stderr = String(result.stderr);
  if (result.timedOut) {
    throw new EmulatorError(`${options.elf} did not finish within ${timeoutMs.toLocaleString('en-US')} ms and was killed`);
  }
  if (result.exitCode === undefined) throw new EmulatorError(`${options.elf} ended by signal ${result.signal ?? 'unknown'}:\n${stderr}`);
  const sanitizer = stderr.split('\n').find((line) => /ERROR: (Address|Leak)Sanitizer|runtime error:/.test(line)) ?? null;
  return {
    exitCode: result.exitCode,
    stdout,
    stderr,
    fault: faultReport(stderr),
    sanitizer: sanitizer === null ? null : sanitizer.trim(),
    instructions: null,
    durationMs: Date.now() - started,
  };
}
