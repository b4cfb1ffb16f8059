/**
 * Which of the four states a machine's firmware toolchain is in, and what that leaves out: the test suite reads
 * this once (vitest global setup) to skip what cannot run and to say so in one line, and to assert the
 * instruction-counting method the machine allows instead of assuming the plugin.
 *
 *   no-toolchains            no cross compilers (nor, perhaps, a host cc): nothing is built
 *   compilers-without-qemu   firmware builds and links, nothing runs on an emulator
 *   qemu-without-plugin      runs on QEMU, instructions counted from the exec trace (no header, or no plugin build)
 *   everything               runs on QEMU with the TCG plugin; the exec trace is checked against it
 */
import { instructionCounter, InstructionCounter } from '../src/build-and-run/insn-count-plugin';
import { detectToolchains, DetectOptions, findExecutable, ToolName } from '../src/build-and-run/toolchains';

export type ToolchainStateName = 'no-toolchains' | 'compilers-without-qemu' | 'qemu-without-plugin' | 'everything';

export interface ToolchainState {
  name: ToolchainStateName;
  /** `cc` and `gcc`: host-board builds under the sanitizers and the C runtime's host tests. */
  hostCompiler: boolean;
  /** arm-none-eabi-gcc, riscv64-unknown-elf-gcc and xtensa-lx106-elf-gcc with picolibc, and make: every emulated board's firmware. */
  crossCompilers: boolean;
  /** qemu-system-arm, -riscv32 and -xtensa (firmware runs need the cross compilers too). */
  qemu: boolean;
  /** cmake: the emitted CMake project is built with it. */
  cmake: boolean;
  /** How instructions are counted on QEMU; null without QEMU. */
  counter: InstructionCounter | null;
  /** Tools (or extras) that are missing, for the message. */
  missing: string[];
}

const CROSS: ToolName[] = ['arm-none-eabi-gcc', 'riscv64-unknown-elf-gcc', 'xtensa-lx106-elf-gcc', 'make'];
const EMULATORS: ToolName[] = ['qemu-system-arm', 'qemu-system-riscv32', 'qemu-system-xtensa'];

export async function detectToolchainState(options: DetectOptions & { workspaceRoot?: string } = {}): Promise<ToolchainState> {
  const tools = await detectToolchains(['cc', ...CROSS, ...EMULATORS], options);
  const present = (name: ToolName) => tools[name]?.path != null && tools[name]?.picolibcSpecs !== null;
  const missing: string[] = (['cc', ...CROSS, ...EMULATORS] as ToolName[]).filter((name) => !present(name));
  // The C runtime's host tests call gcc by name; host-board builds use cc.
  const gcc = (await findExecutable('gcc', options.searchPath)) !== null;
  if (!gcc) missing.push('gcc');
  const hostCompiler = present('cc') && gcc;
  const crossCompilers = CROSS.every(present);
  const qemu = EMULATORS.every(present);
  const cmake = (await findExecutable('cmake', options.searchPath)) !== null;
  if (!cmake) missing.push('cmake');
  const counter = qemu ? await instructionCounter(tools['qemu-system-arm']!.path!, options.workspaceRoot) : null;
  if (counter?.kind === 'exec-trace') missing.push('the QEMU plugin');
  const name: ToolchainStateName = !crossCompilers
    ? 'no-toolchains'
    : !qemu
      ? 'compilers-without-qemu'
      : counter?.kind === 'plugin'
        ? 'everything'
        : 'qemu-without-plugin';
  return { name, hostCompiler, crossCompilers, qemu, cmake, counter, missing };
}

/** The one line the test run prints: the state, what it skips, and why. */
export function describeToolchainState(state: ToolchainState): string {
  const skipped: string[] = [];
  if (!state.crossCompilers) skipped.push('firmware builds for the emulated boards');
  if (!state.qemu || !state.crossCompilers) skipped.push('firmware runs on QEMU');
  if (!state.hostCompiler) skipped.push('host-board builds and the C runtime host tests');
  if (!state.hostCompiler && !(state.crossCompilers && state.qemu)) skipped.push('the report tests (their pipeline needs a firmware run)');
  if (state.crossCompilers && state.qemu && !state.cmake) skipped.push('the emitted CMake project build');
  if (state.counter?.kind === 'exec-trace') skipped.push('the TCG plugin build and the plugin-vs-exec-trace agreement (counts come from the exec trace)');
  const why =
    state.counter?.kind === 'exec-trace'
      ? `${state.counter.reason}`
      : state.missing.length > 0
        ? `missing ${state.missing.join(', ')}: run \`bash tools/install-toolchains base firmware\``
        : '';
  const head = `nx-tinyml toolchains: ${state.name}`;
  if (skipped.length === 0) return `${head}; nothing skipped (instructions counted by the TCG plugin, checked against the exec trace)`;
  return `${head}; skipped ${skipped.join(', ')}${why === '' ? '' : ` (${why})`}`;
}
