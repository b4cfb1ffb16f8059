import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { loadBoardSync } from '../spec/board';
import { detectBoardRunner, flashCommands } from './board-runner';

const board = (name: string) => loadBoardSync(defaultWorkspaceRoot, name);
const toolDir = mkdtempSync(path.join(tmpdir(), 'nxt-board-tools-'));
afterAll(() => rmSync(toolDir, { recursive: true, force: true }));

function installTool(name: string, versionLine: string): void {
  const file = path.join(toolDir, name);
  writeFileSync(file, `#!/bin/sh\necho "${versionLine}"\n`);
  chmodSync(file, 0o755);
}

describe('detectBoardRunner without tools', () => {
  it('skips an STM32 board when neither st-flash nor openocd is installed, saying how to get one', async () => {
    const detection = await detectBoardRunner(board('stm32f446ze'), { searchPath: '' });
    expect(detection).toEqual({
      status: 'skipped',
      board: 'stm32f446ze',
      reason: 'skipped: no st-flash or openocd found; Debian packages stlink-tools openocd; `apt-get install stlink-tools openocd`',
    });
  });

  it('skips an ESP32 board when idf.py is not on PATH', async () => {
    const detection = await detectBoardRunner(board('esp32-s2'), { searchPath: '' });
    expect(detection.status).toBe('skipped');
    expect(detection.status === 'skipped' && detection.reason).toBe(
      "skipped: no idf.py found; install Espressif's ESP-IDF and source its export.sh so idf.py is on PATH",
    );
  });

  it('skips the host board: there is nothing to flash', async () => {
    const detection = await detectBoardRunner(board('host'));
    expect(detection).toMatchObject({ status: 'skipped', reason: 'skipped: host has no physical board to flash (it runs natively)' });
  });
});

describe('detectBoardRunner with a tool on PATH', () => {
  it('prefers st-flash for STM32 boards and builds its commands', async () => {
    installTool('st-flash', 'v1.7.0');
    installTool('openocd', 'Open On-Chip Debugger 0.12.0');
    const detection = await detectBoardRunner(board('stm32h747xi'), { searchPath: toolDir });
    expect(detection).toMatchObject({ status: 'available', tool: 'st-flash', path: path.join(toolDir, 'st-flash'), version: 'v1.7.0' });
    if (detection.status !== 'available') throw new Error('unreachable');
    expect(detection.flash({ elf: '/b/firmware.elf', bin: '/b/firmware.bin' })).toEqual([
      ['arm-none-eabi-objcopy', '-O', 'binary', '/b/firmware.elf', '/b/firmware.bin'],
      ['st-flash', '--reset', 'write', '/b/firmware.bin', '0x8000000'],
    ]);
  });
});

describe('flashCommands', () => {
  it('programs an STM32F4 through OpenOCD with semihosting enabled', () => {
    expect(flashCommands(board('stm32f446ze'), 'openocd', { elf: '/b/f.elf', bin: '/b/f.bin' })).toEqual([
      [
        'openocd',
        '-f',
        'interface/stlink.cfg',
        '-f',
        'target/stm32f4x.cfg',
        '-c',
        'init',
        '-c',
        'arm semihosting enable',
        '-c',
        'program /b/f.elf verify',
        '-c',
        'reset run',
      ],
    ]);
  });

  it('flashes and monitors an ESP-IDF project on a given port', () => {
    expect(flashCommands(board('esp32-s2'), 'idf.py', { elf: '', bin: '', projectDir: '/p', port: '/dev/ttyUSB0' })).toEqual([
      ['idf.py', '-C', '/p', '-p', '/dev/ttyUSB0', 'flash', 'monitor'],
    ]);
  });
});
