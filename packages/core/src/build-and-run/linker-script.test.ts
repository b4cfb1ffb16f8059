import { describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { loadBoardSync } from '../spec/board';
import type { BoardDefinition } from '../spec/types';
import { EMULATED_MACHINES } from './emulated-machines';
import { firmwareTarget } from './firmware-target';
import { LINKER_ASSERT_PREFIX, linkerScript, memoryRegions } from './linker-script';

const board = (name: string) => loadBoardSync(defaultWorkspaceRoot, name);
const optionsFor = (definition: BoardDefinition) => {
  const target = firmwareTarget(definition);
  return { arch: target.arch as 'arm-m' | 'riscv32' | 'xtensa', machine: target.machine! };
};

describe('memoryRegions', () => {
  it.each([
    ['stm32f446ze', 0x0000_0000, 524_288, 0x2000_0000, 131_072 - 4096],
    ['stm32h747xi', 0x0000_0000, 1_048_576, 0x2000_0000, 524_288 - 4096],
    ['esp32-c3', 0x8000_0000, 4_194_304, 0x8040_0000, 409_600 - 65_536],
    ['esp32-s2', 0x5000_0000, 4_194_304, 0x3ff8_0000, 327_680 - 65_536],
  ])(
    '%s: FLASH from flashBytes, RAM = sramBytes − reserveSramBytes, where its QEMU machine has memory',
    (name, flashOrigin, flashBytes, ramOrigin, ramBytes) => {
      const definition = board(name);
      expect(memoryRegions(definition, optionsFor(definition))).toEqual({
        flash: { origin: flashOrigin, bytes: flashBytes },
        ram: { origin: ramOrigin, bytes: ramBytes },
      });
    },
  );

  it("the measuring variant takes the emulator's whole windows", () => {
    const definition = board('stm32f446ze');
    const machine = EMULATED_MACHINES['mps2-an386'];
    expect(memoryRegions(definition, { ...optionsFor(definition), capacity: 'machine' })).toEqual({ flash: machine.flash, ram: machine.ram });
  });

  it('refuses a board larger than its emulator', () => {
    const definition = board('stm32f446ze');
    const huge = { ...definition, memory: { ...definition.memory, sramBytes: 8 * 1024 * 1024 } };
    expect(() => memoryRegions(huge, optionsFor(definition))).toThrow(/does not fit QEMU mps2-an386's memory/);
  });
});

describe('linkerScript', () => {
  const f446 = linkerScript(board('stm32f446ze'), optionsFor(board('stm32f446ze')));
  const c3 = linkerScript(board('esp32-c3'), optionsFor(board('esp32-c3')));

  it('declares the regions and the stack from board.yaml', () => {
    expect(f446).toContain('FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 524288');
    expect(f446).toContain('RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 126976');
    expect(f446).toContain('__stack_size = 4096;');
    expect(c3).toContain('RAM (rwx)  : ORIGIN = 0x80400000, LENGTH = 344064');
    expect(c3).toContain('__stack_size = 8192;');
  });

  it('starts FLASH with the vector table on Cortex-M and with _start on RISC-V', () => {
    expect(f446).toMatch(/ENTRY\(Reset_Handler\)[\s\S]*\.text :\s*\{\s*KEEP\(\*\(\.isr_vector\)\)/);
    expect(c3).toMatch(/ENTRY\(_start\)[\s\S]*\.text :\s*\{\s*KEEP\(\*\(\.text\.init\.enter\)\)/);
    expect(c3).toContain('__global_pointer$ = . + 0x800;');
    expect(f446).not.toContain('__global_pointer$');
  });

  it('loads .data from FLASH into RAM and puts .bss and the stack in RAM', () => {
    expect(f446).toMatch(/\.data : ALIGN\(8\)\s*\{[\s\S]*?\} > RAM AT > FLASH/);
    expect(f446).toMatch(/\.bss \(NOLOAD\) :[\s\S]*?\} > RAM/);
    expect(f446).toMatch(/\.stack \(NOLOAD\) : ALIGN\(8\)\s*\{\s*__stack_bottom = \.;\s*\. = \. \+ __stack_size;\s*__stack_top = \.;\s*\} > RAM/);
  });

  it('asserts the budgets with texts the link-failure parser recognises', () => {
    const asserts = f446.match(/ASSERT\(.*\)/g) ?? [];
    expect(asserts).toHaveLength(4);
    for (const line of asserts) expect(line).toContain(`"${LINKER_ASSERT_PREFIX} `);
    expect(f446).toContain('ASSERT(__stack_top <= ORIGIN(RAM) + LENGTH(RAM), "nx-tinyml: RAM overflow: .data + .bss + stack exceed RAM")');
  });
});
