/**
 * Builds a firmware image for a board: writes the linker script (from board.yaml) and a Makefile into outDir,
 * runs make, and reports the image's flash and RAM by section, symbol and object file. A program that does not
 * fit fails at link time with a LinkOverflowError naming the region and the bytes over.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../common/errors';
import { defaultWorkspaceRoot } from '../common/workspace';
import type { BoardDefinition } from '../spec/types';
import { COMMON_CFLAGS, FirmwareTarget, firmwareTarget, HOST_SANITIZER_FLAGS, platformIncludeDirs, platformSources, type TargetArch } from './firmware-target';
import { consistentOverflows, describeLinkFailure, isOverflow, LinkCheckError, LinkFailure, LinkOverflowError, parseLinkFailure } from './link-failure';
import { linkerScript, memoryRegions } from './linker-script';
import { ELF_NAME, MAP_NAME, MEASURE_ELF_NAME, MEASURE_MAP_NAME, objectName, renderMakefile, SIZE_NAME } from './makefile';
import { parseMapFile } from './map-file';
import { MemoryUsage, memoryUsage } from './memory-usage';
import { parseSectionHeaders } from './section-headers';
import { parseSizeA, SizeSection } from './size-report';
import { parseNmSymbols } from './symbols';
import { requireTools, ToolName } from './toolchains';

export interface BuildFirmwareOptions {
  board: BoardDefinition;
  /** The program's C sources (main() included); the platform layer's startup and I/O are added. */
  sources: string[];
  includeDirs?: string[];
  /** Build directory; created if needed. Everything the build writes goes here. */
  outDir: string;
  defines?: Record<string, string | number | boolean>;
  /** Extra compiler flags, after the standard ones. */
  cflags?: string[];
  /** Where firmware/platform/ is (default: this checkout). */
  workspaceRoot?: string;
  /** Receives make's output as it runs. */
  onOutput?: (text: string) => void;
}

export interface FirmwareBuild {
  board: BoardDefinition;
  target: FirmwareTarget;
  outDir: string;
  elf: string;
  mapFile: string;
  /** null for the host board, which links natively. */
  linkerScript: string | null;
  makefile: string;
  /** `size -A` of the ELF, as printed and parsed. */
  sizeText: string;
  sizeSections: SizeSection[];
  memory: MemoryUsage;
  /** make's combined output. */
  log: string;
}

/** The compiler or make failed for another reason than memory (a compile error, an undefined symbol, …). */
export class FirmwareBuildError extends UserError {
  override name = 'FirmwareBuildError';
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
}

const LINKER_SCRIPT_NAME = 'firmware.ld';
const CROSS_COMPILERS: Readonly<Record<TargetArch, ToolName>> = {
  'arm-m': 'arm-none-eabi-gcc',
  riscv32: 'riscv64-unknown-elf-gcc',
  xtensa: 'xtensa-lx106-elf-gcc',
  host: 'cc',
};
const MEASURE_LINKER_SCRIPT_NAME = 'firmware-measure.ld';

export async function buildFirmware(options: BuildFirmwareOptions): Promise<FirmwareBuild> {
  const { board } = options;
  const target = firmwareTarget(board);
  const workspaceRoot = options.workspaceRoot ?? defaultWorkspaceRoot;
  const compiler: ToolName = CROSS_COMPILERS[target.arch];
  const tools = await requireTools([compiler, 'make'], `building firmware for ${board.name}`);

  const outDir = path.resolve(options.outDir);
  await fs.mkdir(outDir, { recursive: true });
  const hosted = target.machine === null;
  if (target.machine !== null) {
    const machine = target.machine;
    const arch = target.arch as Exclude<TargetArch, 'host'>;
    await fs.writeFile(path.join(outDir, LINKER_SCRIPT_NAME), linkerScript(board, { arch, machine }));
    await fs.writeFile(path.join(outDir, MEASURE_LINKER_SCRIPT_NAME), linkerScript(board, { arch, machine, capacity: 'machine' }));
  }
  const sources = [...platformSources(workspaceRoot, target.arch), ...options.sources].map((file) => path.resolve(file));
  const makefile = renderMakefile({
    cc: hosted ? 'cc' : `${target.toolPrefix}gcc`,
    size: `${target.toolPrefix}size`,
    // The detected specs path: gcc finds ARM's and RISC-V's by name, but not Debian's Xtensa picolibc.specs.
    targetFlags: hosted ? HOST_SANITIZER_FLAGS : [...target.cpuFlags, `--specs=${tools[compiler].picolibcSpecs ?? 'picolibc.specs'}`],
    // The build folder (often a random temp folder) and the checkout's path would otherwise end up in the debug
    // info, and two clean builds of the same sources would differ.
    cflags: [...COMMON_CFLAGS, `-ffile-prefix-map=${outDir}=build`, `-ffile-prefix-map=${path.resolve(workspaceRoot)}=.`, ...(options.cflags ?? [])],
    ldflags: hosted ? ['-Wl,--gc-sections'] : ['-nostartfiles', '-Wl,--gc-sections'],
    sources,
    includeDirs: [...platformIncludeDirs(workspaceRoot), ...(options.includeDirs ?? [])].map((dir) => path.resolve(dir)),
    defines: options.defines ?? {},
    linkerScript: hosted ? null : LINKER_SCRIPT_NAME,
    measureLinkerScript: hosted ? null : MEASURE_LINKER_SCRIPT_NAME,
  });
  const makefilePath = path.join(outDir, 'Makefile');
  await fs.writeFile(makefilePath, makefile);

  const made = await runMake(outDir, 'all', options.onOutput);
  if (!made.ok) {
    const failure = parseLinkFailure(made.log);
    if (failure !== null && isOverflow(failure)) throw await overflowError(board, target, outDir, failure);
    if (failure !== null && failure.assertions.length > 0) throw new LinkCheckError(describeLinkFailure(board, failure, null));
    throw new FirmwareBuildError(`firmware build for ${board.name} failed (make -C ${outDir}):\n${tail(made.log, 40)}`, made.log);
  }

  const elf = path.join(outDir, ELF_NAME);
  const mapFile = path.join(outDir, MAP_NAME);
  const sizeText = await fs.readFile(path.join(outDir, SIZE_NAME), 'utf8');
  const memory = withSourceNames(await measure(target, elf, mapFile, 'board'), sources);
  if (hosted) checkHostedBudget(board, memory);
  return {
    board,
    target,
    outDir,
    elf,
    mapFile,
    linkerScript: hosted ? null : path.join(outDir, LINKER_SCRIPT_NAME),
    makefile: makefilePath,
    sizeText,
    sizeSections: parseSizeA(sizeText),
    memory,
    log: made.log,
  };
}

async function runMake(outDir: string, goal: string, onOutput?: (text: string) => void): Promise<{ ok: boolean; log: string }> {
  // Two jobs at most: the machines this runs on are shared.
  const child = execa('make', ['-C', outDir, '-j2', '--no-print-directory', goal], { all: true, reject: false, stdin: 'ignore' });
  if (onOutput !== undefined) child.all?.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  const result = await child;
  return { ok: result.exitCode === 0, log: String(result.all ?? '') };
}

/** Flash/RAM usage of a linked ELF; `capacity: 'machine'` for the measuring link. */
async function measure(target: FirmwareTarget, elf: string, mapFile: string, capacity: 'board' | 'machine'): Promise<MemoryUsage> {
  const [headers, nm, mapText] = await Promise.all([
    execa(`${target.toolPrefix}objdump`, ['-h', '-w', elf]),
    execa(`${target.toolPrefix}nm`, ['-S', '-n', '--defined-only', elf]),
    fs.readFile(mapFile, 'utf8'),
  ]);
  const { board } = target;
  const ramBudget = board.memory.sramBytes - board.memory.reserveSramBytes;
  const regions =
    target.machine === null ? null : memoryRegions(board, { arch: target.arch as Exclude<TargetArch, 'host'>, machine: target.machine, capacity });
  return memoryUsage({
    sections: parseSectionHeaders(String(headers.stdout)),
    symbols: parseNmSymbols(String(nm.stdout)),
    map: parseMapFile(mapText),
    regions,
    budget: regions === null ? { flashBytes: board.memory.flashBytes, ramBytes: ramBudget } : { flashBytes: regions.flash.bytes, ramBytes: regions.ram.bytes },
    thumb: target.arch === 'arm-m',
  });
}

/** Re-links with the emulator's whole memory to say what the program would need, then builds the error. */
async function overflowError(board: BoardDefinition, target: FirmwareTarget, outDir: string, failure: LinkFailure): Promise<LinkOverflowError> {
  const measured = await runMake(outDir, 'measure');
  const wanted = measured.ok ? await measure(target, path.join(outDir, MEASURE_ELF_NAME), path.join(outDir, MEASURE_MAP_NAME), 'machine') : null;
  return new LinkOverflowError(describeLinkFailure(board, failure, wanted), board.name, consistentOverflows(board, failure, wanted), wanted);
}

/**
 * A native link has no MEMORY regions, so the board's RAM budget is checked after linking: writable data plus
 * the stack the board reserves. (Sanitizer metadata is counted too; the host budget is generous for that.)
 */
function checkHostedBudget(board: BoardDefinition, memory: MemoryUsage): void {
  const needed = memory.ram.used + board.memory.stackBytes;
  const overflows = [];
  if (needed > memory.ram.capacity) overflows.push({ region: 'RAM', bytes: needed - memory.ram.capacity, sections: Object.keys(memory.ram.sections) });
  if (memory.flash.used > memory.flash.capacity) overflows.push({ region: 'FLASH', bytes: memory.flash.used - memory.flash.capacity, sections: [] });
  if (overflows.length === 0) return;
  const failure: LinkFailure = { overflows, assertions: [], otherErrors: [] };
  const wanted = { ...memory, ram: { ...memory.ram, used: needed, span: needed } };
  throw new LinkOverflowError(describeLinkFailure(board, failure, wanted), board.name, overflows, wanted);
}

/** The map names objects by their build-dir file ("obj/005-crc32.o"); report the source each came from. */
function withSourceNames(memory: MemoryUsage, sources: string[]): MemoryUsage {
  const sourceOf = new Map(sources.map((source, index) => [objectName(source, index), source]));
  return { ...memory, objects: memory.objects.map((entry) => ({ ...entry, object: sourceOf.get(entry.object) ?? entry.object })) };
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}
