/**
 * Which build, emulation and flashing tools this machine has. Firmware builds and emulator runs need theirs and
 * fail with a MissingToolError that says how to install them; physical-board runners treat a missing tool as
 * "skipped" (board-runner.ts).
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../common/errors';

export const TOOL_NAMES = [
  'arm-none-eabi-gcc',
  'riscv64-unknown-elf-gcc',
  'xtensa-lx106-elf-gcc',
  'cc',
  'make',
  'qemu-system-arm',
  'qemu-system-riscv32',
  'qemu-system-xtensa',
  'idf.py',
  'st-flash',
  'openocd',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export interface DetectedTool {
  name: ToolName;
  /** Absolute path of the executable, or null when it is not on PATH. */
  path: string | null;
  /** First line the tool prints for --version, e.g. "arm-none-eabi-gcc (15:12.2.rel1-1) 12.2.1 20221205". */
  version: string | null;
  /** Cross compilers only: picolibc's specs file, which every firmware link uses (null when picolibc is missing). */
  picolibcSpecs?: string | null;
}

export type DetectedToolchains = Record<ToolName, DetectedTool>;

/** How to get each tool on Debian (tools/install-toolchains installs the `firmware` group). */
export const TOOL_INSTALL_HINTS: Readonly<Record<ToolName, { debianPackages: string[]; viaInstallScript: boolean; other?: string }>> = {
  'arm-none-eabi-gcc': { debianPackages: ['gcc-arm-none-eabi', 'picolibc-arm-none-eabi'], viaInstallScript: true },
  'riscv64-unknown-elf-gcc': { debianPackages: ['gcc-riscv64-unknown-elf', 'picolibc-riscv64-unknown-elf'], viaInstallScript: true },
  'xtensa-lx106-elf-gcc': { debianPackages: ['gcc-xtensa-lx106', 'picolibc-xtensa-lx106-elf'], viaInstallScript: true },
  cc: { debianPackages: ['gcc', 'libc6-dev'], viaInstallScript: true },
  make: { debianPackages: ['make'], viaInstallScript: true },
  'qemu-system-arm': { debianPackages: ['qemu-system-arm'], viaInstallScript: true },
  'qemu-system-riscv32': { debianPackages: ['qemu-system-misc'], viaInstallScript: true },
  'qemu-system-xtensa': { debianPackages: ['qemu-system-misc'], viaInstallScript: true },
  'idf.py': { debianPackages: [], viaInstallScript: false, other: "install Espressif's ESP-IDF and source its export.sh so idf.py is on PATH" },
  'st-flash': { debianPackages: ['stlink-tools'], viaInstallScript: false },
  openocd: { debianPackages: ['openocd'], viaInstallScript: false },
};

/** A tool the requested build or run needs is not installed. */
export class MissingToolError extends UserError {
  override name = 'MissingToolError';
  constructor(
    readonly tools: ToolName[],
    purpose: string,
  ) {
    super(`${purpose} needs ${tools.join(', ')}, which ${tools.length === 1 ? 'is' : 'are'} not installed: ${installAdvice(tools)}`);
  }
}

/** "apt-get install …" advice for tools, naming the Debian packages and the project's install script. */
export function installAdvice(tools: ToolName[]): string {
  const packages = [...new Set(tools.flatMap((tool) => TOOL_INSTALL_HINTS[tool].debianPackages))];
  const parts: string[] = [];
  if (packages.length > 0) parts.push(`Debian package${packages.length === 1 ? '' : 's'} ${packages.join(' ')}`);
  if (tools.some((tool) => TOOL_INSTALL_HINTS[tool].viaInstallScript)) parts.push('run `bash tools/install-toolchains firmware`');
  else if (packages.length > 0) parts.push(`\`apt-get install ${packages.join(' ')}\``);
  for (const tool of tools) {
    const other = TOOL_INSTALL_HINTS[tool].other;
    if (other !== undefined) parts.push(other);
  }
  return parts.join('; ');
}

/** Finds an executable on PATH the way a shell would. */
export async function findExecutable(name: string, searchPath = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, fsConstants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function firstOutputLine(executable: string, args: string[]): Promise<string | null> {
  const result = await execa(executable, args, { reject: false, timeout: 15_000, stdin: 'ignore' });
  // openocd prints its banner on stderr; most tools use stdout.
  const text = `${String(result.stdout)}\n${String(result.stderr)}`;
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  return line === undefined ? null : line.trim();
}

export interface DetectOptions {
  /** PATH to search (default: process.env.PATH). */
  searchPath?: string;
}

async function detectTool(name: ToolName, searchPath: string | undefined): Promise<DetectedTool> {
  // The host compiler is whatever `cc` is; Debian's gcc package provides it.
  const executable = await findExecutable(name, searchPath);
  if (executable === null) return { name, path: null, version: null, ...(isCrossCompiler(name) ? { picolibcSpecs: null } : {}) };
  const version = await firstOutputLine(executable, ['--version']);
  if (!isCrossCompiler(name)) return { name, path: executable, version };
  // gcc prints the bare name back when it cannot find the file.
  const specs = await firstOutputLine(executable, ['-print-file-name=picolibc.specs']);
  if (specs !== null && path.isAbsolute(specs)) return { name, path: executable, version, picolibcSpecs: specs };
  // Debian's picolibc-xtensa-lx106-elf installs its specs beside the libc (/usr/lib/<triple>/), outside gcc's search path.
  // Relative to where the compiler really is: a symlink on PATH (a tool shim, tools/test/with-hidden-tools) is elsewhere.
  const real = await fs.realpath(executable).catch(() => executable);
  const beside = path.join(path.dirname(real), '..', 'lib', name.replace(/-gcc$/, ''), 'picolibc.specs');
  const found = await fs.access(beside).then(
    () => true,
    () => false,
  );
  return { name, path: executable, version, picolibcSpecs: found ? path.resolve(beside) : null };
}

function isCrossCompiler(name: ToolName): boolean {
  return name === 'arm-none-eabi-gcc' || name === 'riscv64-unknown-elf-gcc' || name === 'xtensa-lx106-elf-gcc';
}

/** Detects the given tools (all of TOOL_NAMES by default), in parallel. */
export async function detectToolchains(names: readonly ToolName[] = TOOL_NAMES, options: DetectOptions = {}): Promise<Partial<DetectedToolchains>> {
  const detected = await Promise.all(names.map((name) => detectTool(name, options.searchPath)));
  return Object.fromEntries(detected.map((tool) => [tool.name, tool]));
}

/** The tools, detected; throws MissingToolError naming every missing one (and missing picolibc) for `purpose`. */
export async function requireTools(names: readonly ToolName[], purpose: string, options: DetectOptions = {}): Promise<DetectedToolchains> {
  const detected = await detectToolchains(names, options);
  const missing = names.filter((name) => {
    const tool = detected[name];
    return tool === undefined || tool.path === null || tool.picolibcSpecs === null;
  });
  if (missing.length > 0) throw new MissingToolError(missing, purpose);
  return detected as DetectedToolchains;
}
