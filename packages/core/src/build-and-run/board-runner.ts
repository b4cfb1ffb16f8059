/**
 * Physical boards: which flashing tool this machine has for a board, and the command lines to flash it. A missing
 * tool is a "skipped" result, not a failure: most machines (CI included) have no board attached.
 *
 * Images for a real part must be linked at the part's addresses (STM32 flash at 0x08000000; H747 AXI SRAM at
 * 0x24000000), not at QEMU's (emulated-machines.ts); PHYSICAL_MEMORY below records them for that build.
 */
import type { BoardDefinition } from '../spec/types';
import { DetectOptions, detectToolchains, installAdvice } from './toolchains';

export type BoardRunnerTool = 'idf.py' | 'st-flash' | 'openocd';

export interface BoardRunnerCommands {
  /** Commands to run in order (argv arrays) to program the board with `image` and reset it. */
  flash(image: { elf: string; bin: string; projectDir?: string; port?: string }): string[][];
}

export type BoardRunnerDetection =
  | ({ status: 'available'; board: string; tool: BoardRunnerTool; path: string; version: string | null } & BoardRunnerCommands)
  | { status: 'skipped'; board: string; reason: string };

/** Where the real parts have flash and SRAM (reference manuals RM0390, RM0399; ESP-IDF links ESP32 images itself). */
export const PHYSICAL_MEMORY: Readonly<Record<string, { flashOrigin: number; ramOrigin: number }>> = {
  stm32f446ze: { flashOrigin: 0x0800_0000, ramOrigin: 0x2000_0000 },
  stm32h747xi: { flashOrigin: 0x0800_0000, ramOrigin: 0x2400_0000 },
};

const OPENOCD_TARGET: Readonly<Record<string, string>> = {
  stm32f4: 'target/stm32f4x.cfg',
  stm32h7: 'target/stm32h7x.cfg',
};

/** Candidate tools of a board family, in order of preference. */
export function boardRunnerTools(board: BoardDefinition): BoardRunnerTool[] {
  if (board.name.startsWith('esp32')) return ['idf.py'];
  if (board.name.startsWith('stm32')) return ['st-flash', 'openocd'];
  return [];
}

export async function detectBoardRunner(board: BoardDefinition, options: DetectOptions = {}): Promise<BoardRunnerDetection> {
  const candidates = boardRunnerTools(board);
  if (candidates.length === 0) {
    return {
      status: 'skipped',
      board: board.name,
      reason: `skipped: ${board.name} has no physical board to flash (it runs ${board.emulator === 'native' ? 'natively' : 'on an emulator'})`,
    };
  }
  const detected = await detectToolchains(candidates, options);
  for (const tool of candidates) {
    const found = detected[tool];
    if (found?.path == null) continue;
    return { status: 'available', board: board.name, tool, path: found.path, version: found.version, flash: (image) => flashCommands(board, tool, image) };
  }
  const names = candidates.join(' or ');
  return { status: 'skipped', board: board.name, reason: `skipped: no ${names} found; ${installAdvice(candidates)}` };
}

/** The flashing command lines of one tool for one board (exported for tests; they need no hardware to build). */
export function flashCommands(
  board: BoardDefinition,
  tool: BoardRunnerTool,
  image: { elf: string; bin: string; projectDir?: string; port?: string },
): string[][] {
  switch (tool) {
    case 'idf.py': {
      if (image.projectDir === undefined) throw new Error(`flashing ${board.name} with idf.py needs the ESP-IDF project directory`);
      const port = image.port === undefined ? [] : ['-p', image.port];
      return [['idf.py', '-C', image.projectDir, ...port, 'flash', 'monitor']];
    }
    case 'st-flash': {
      const memory = PHYSICAL_MEMORY[board.name];
      if (memory === undefined) throw new Error(`no flash address known for ${board.name}`);
      // st-flash writes raw binaries, so the ELF is converted first.
      return [
        ['arm-none-eabi-objcopy', '-O', 'binary', image.elf, image.bin],
        ['st-flash', '--reset', 'write', image.bin, `0x${memory.flashOrigin.toString(16)}`],
      ];
    }
    case 'openocd': {
      const family = board.name.slice(0, 7);
      const targetConfig = OPENOCD_TARGET[family];
      if (targetConfig === undefined) throw new Error(`no OpenOCD target configuration known for ${board.name}`);
      // OpenOCD serves semihosting too, so the program's output and exit come back as on QEMU.
      return [
        [
          'openocd',
          '-f',
          'interface/stlink.cfg',
          '-f',
          targetConfig,
          '-c',
          'init',
          '-c',
          'arm semihosting enable',
          '-c',
          `program ${image.elf} verify`,
          '-c',
          'reset run',
        ],
      ];
    }
  }
}
