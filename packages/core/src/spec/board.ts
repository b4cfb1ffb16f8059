import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, SpecError } from './errors';
import { SpecFile, readSpecText, readSpecTextSync, specFile } from './files';
import type { BoardDefinition } from './types';
import { validateBoard } from './validate';
import { YamlSource } from './yaml-source';
import { packageResourceRoot } from '../common/workspace';

const BOARDS_DIR = path.join('firmware', 'boards');

/**
 * Board names: the folders of `firmware/boards/` that hold a board.yaml, in the workspace and in the installed
 * package (a workspace may add boards or replace a shipped one), sorted.
 */
export function knownBoards(workspaceRoot: string): string[] {
  return [...new Set([...boardsIn(path.join(workspaceRoot, BOARDS_DIR)), ...boardsIn(path.join(packageResourceRoot, BOARDS_DIR))])].sort();
}

function boardsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'board.yaml')))
    .map((entry) => entry.name);
}

/** Reads and validates `firmware/boards/<name>/board.yaml`; problems throw SpecError naming that file. */
export async function loadBoard(workspaceRoot: string, name: string): Promise<BoardDefinition> {
  const file = boardFile(workspaceRoot, name);
  return parseBoard(await readSpecText(file), file, name);
}

/** loadBoard for synchronous callers (parseSpec, Nx createNodes). */
export function loadBoardSync(workspaceRoot: string, name: string): BoardDefinition {
  const file = boardFile(workspaceRoot, name);
  return parseBoard(readSpecTextSync(file), file, name);
}

/** The workspace's board.yaml when it has one, otherwise the installed package's. */
function boardFile(workspaceRoot: string, name: string): SpecFile {
  const relative = path.join(BOARDS_DIR, name, 'board.yaml');
  const own = path.join(workspaceRoot, relative);
  return specFile(
    existsSync(own) || !existsSync(path.join(packageResourceRoot, relative)) ? relative : path.join(packageResourceRoot, relative),
    workspaceRoot,
  );
}

/** board.yaml as the schema admits it: the definition without `file`, which comes from where it was read. */
type RawBoard = Omit<BoardDefinition, 'file'>;

function parseBoard(text: string, file: SpecFile, folder: string): BoardDefinition {
  const source = YamlSource.parse(text, file.shown);
  const raw = validateBoard<RawBoard>(source);
  const diagnostics: Diagnostic[] = [];
  if (raw.name !== folder) {
    // Specs name boards by folder; a different name inside would make reports disagree with the spec.
    diagnostics.push(source.diagnostic(['name'], `must be the board's folder name "${folder}", got "${raw.name}"`));
  }
  const { sramBytes, reserveSramBytes, stackBytes, runtimeRamBytes } = raw.memory;
  if (reserveSramBytes + stackBytes + runtimeRamBytes >= sramBytes) {
    diagnostics.push(
      source.diagnostic(
        ['memory', 'reserveSramBytes'],
        `reserveSramBytes + stackBytes + runtimeRamBytes (${reserveSramBytes} + ${stackBytes} + ${runtimeRamBytes}) must be less than sramBytes (${sramBytes}), or no SRAM is left for the model`,
      ),
    );
  }
  if (raw.memory.runtimeCodeBytes >= raw.memory.flashBytes) {
    diagnostics.push(
      source.diagnostic(
        ['memory', 'runtimeCodeBytes'],
        `runtimeCodeBytes (${raw.memory.runtimeCodeBytes}) must be less than flashBytes (${raw.memory.flashBytes}), or no flash is left for the model`,
      ),
    );
  }
  if (diagnostics.length > 0) throw new SpecError(diagnostics);
  return {
    name: raw.name,
    title: raw.title,
    cpu: raw.cpu,
    memory: { sramBytes, flashBytes: raw.memory.flashBytes, reserveSramBytes, stackBytes, runtimeCodeBytes: raw.memory.runtimeCodeBytes, runtimeRamBytes },
    toolchain: raw.toolchain,
    emulator: raw.emulator,
    file: file.absolute,
  };
}
