/** The output parsers on text captured from arm-none-eabi binutils 2.40 (the end-to-end test runs them live). */
import { describe, expect, it } from 'vitest';
import { parseMapFile } from './map-file';
import { memoryUsage } from './memory-usage';
import { hasLoadImage, parseSectionHeaders } from './section-headers';
import { parseSizeA } from './size-report';
import { parseNmSymbols } from './symbols';

const SIZE_A = `firmware.elf  :
section            size        addr
.text               808           0
.rodata            4252         808
.data                 8   536870912
.bss                  8   536870920
.stack             4096   536870928
.debug_info        4387           0
Total             17559
`;

const OBJDUMP_H = `
firmware.elf:     file format elf32-littlearm

Sections:
Idx Name            Size      VMA       LMA       File off  Algn  Flags
  0 .text           00000328  00000000  00000000  00001000  2**2  CONTENTS, ALLOC, LOAD, READONLY, CODE
  1 .rodata         0000109c  00000328  00000328  00001328  2**2  CONTENTS, ALLOC, LOAD, READONLY, DATA
  2 .data           00000008  20000000  000013c8  00003000  2**3  CONTENTS, ALLOC, LOAD, DATA
  3 .tbss_space     00000000  20000008  20000008  00003008  2**0  CONTENTS
  4 .bss            00000008  20000008  000013d0  00003008  2**2  ALLOC
  5 .stack          00001000  20000010  000013d0  00003010  2**3  ALLOC
  6 .debug_info     00001123  00000000  00000000  00003008  2**0  CONTENTS, READONLY, DEBUGGING, OCTETS
`;

const NM = `00000000 00000040 t vector_table
00000008 A __arm32_tls_tcb_offset
00000040 000000d8 T main
00000229 00000002 T platform_marker
000003c4 00001000 R crc_input_table
20000000 D __data_start
20000000 00000004 d console_handle
20000008 00000004 b result_bss
`;

const MAP = `Archive member included to satisfy reference by file (symbol)

Memory Configuration

Name             Origin             Length             Attributes
FLASH            0x00000000         0x00080000         xr
RAM              0x20000000         0x0001f000         xrw
*default*        0x00000000         0xffffffff

Linker script and memory map

LOAD obj/000-semihosting-console.o
.text           0x00000000      0x328
 *(.isr_vector)
 .isr_vector    0x00000000       0x40 obj/003-startup.o
 .text.startup.main
                0x00000040       0xd8 obj/005-crc32.o
                0x00000040                main
 .text          0x000002e8       0x1c /usr/lib/picolibc/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc.a(memcpy.c.o)
                0x000002e8                memcpy

.rodata         0x00000328     0x109c
 *(.rodata .rodata.*)
 .rodata.platform_fault.str1.4
                0x00000338       0x16 obj/001-fault.o
 *fill*         0x0000034e        0x2 
 .rodata.crc_input_table
                0x000003c4     0x1000 obj/005-crc32.o
                0x000003c4                crc_input_table

.data           0x20000000        0x8 load address 0x000013c8
                0x20000000                        __data_start = .
 *(.data .data.*)
 .data.console_handle
                0x20000000        0x4 obj/000-semihosting-console.o

.stack          0x20000010     0x1000 load address 0x000013d0
                0x20000010                        __stack_bottom = .
 *fill*         0x20000010     0x1000 
OUTPUT(firmware.elf elf32-littlearm)
`;

describe('parseSizeA', () => {
  it('lists every section with its size and address, without the total', () => {
    expect(parseSizeA(SIZE_A)).toEqual([
      { name: '.text', bytes: 808, address: 0 },
      { name: '.rodata', bytes: 4252, address: 808 },
      { name: '.data', bytes: 8, address: 0x2000_0000 },
      { name: '.bss', bytes: 8, address: 0x2000_0008 },
      { name: '.stack', bytes: 4096, address: 0x2000_0010 },
      { name: '.debug_info', bytes: 4387, address: 0 },
    ]);
  });
});

describe('parseSectionHeaders', () => {
  it('reads sizes, run and load addresses and flags; only sections with contents to load take flash', () => {
    const headers = parseSectionHeaders(OBJDUMP_H);
    expect(headers.map((header) => header.name)).toEqual(['.text', '.rodata', '.data', '.tbss_space', '.bss', '.stack', '.debug_info']);
    expect(headers[2]).toEqual({ name: '.data', bytes: 8, vma: 0x2000_0000, lma: 0x13c8, flags: ['CONTENTS', 'ALLOC', 'LOAD', 'DATA'] });
    expect(headers.filter(hasLoadImage).map((header) => header.name)).toEqual(['.text', '.rodata', '.data']);
  });
});

describe('parseNmSymbols', () => {
  it('keeps sizes where nm prints them and null for linker-script symbols', () => {
    const symbols = parseNmSymbols(NM);
    expect(symbols).toContainEqual({ name: 'crc_input_table', address: 0x3c4, bytes: 4096, type: 'R' });
    expect(symbols).toContainEqual({ name: '__data_start', address: 0x2000_0000, bytes: null, type: 'D' });
    expect(symbols).toHaveLength(8);
  });
});

describe('parseMapFile', () => {
  const map = parseMapFile(MAP);

  it('reads the memory regions', () => {
    expect(map.memoryRegions).toEqual([
      { name: 'FLASH', origin: 0, bytes: 0x80000 },
      { name: 'RAM', origin: 0x2000_0000, bytes: 0x1f000 },
    ]);
  });

  it('reads output sections with their load addresses', () => {
    expect(map.outputSections).toEqual([
      { name: '.text', address: 0, bytes: 0x328, loadAddress: null },
      { name: '.rodata', address: 0x328, bytes: 0x109c, loadAddress: null },
      { name: '.data', address: 0x2000_0000, bytes: 8, loadAddress: 0x13c8 },
      { name: '.stack', address: 0x2000_0010, bytes: 0x1000, loadAddress: 0x13d0 },
    ]);
  });

  it('reads input sections on one line or two, with their object files and global symbols, skipping fill', () => {
    expect(map.inputSections.map(({ name, bytes, object, symbols }) => ({ name, bytes, object, symbols }))).toEqual([
      { name: '.isr_vector', bytes: 0x40, object: 'obj/003-startup.o', symbols: [] },
      { name: '.text.startup.main', bytes: 0xd8, object: 'obj/005-crc32.o', symbols: ['main'] },
      { name: '.text', bytes: 0x1c, object: '/usr/lib/picolibc/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc.a(memcpy.c.o)', symbols: ['memcpy'] },
      { name: '.rodata.platform_fault.str1.4', bytes: 0x16, object: 'obj/001-fault.o', symbols: [] },
      { name: '.rodata.crc_input_table', bytes: 0x1000, object: 'obj/005-crc32.o', symbols: ['crc_input_table'] },
      { name: '.data.console_handle', bytes: 4, object: 'obj/000-semihosting-console.o', symbols: [] },
    ]);
  });
});

describe('memoryUsage', () => {
  const usage = memoryUsage({
    sections: parseSectionHeaders(OBJDUMP_H),
    symbols: parseNmSymbols(NM),
    map: parseMapFile(MAP),
    regions: { flash: { origin: 0, bytes: 0x80000 }, ram: { origin: 0x2000_0000, bytes: 0x1f000 } },
    budget: { flashBytes: 0x80000, ramBytes: 0x1f000 },
    thumb: true,
  });

  it('counts flash as code + constants + the .data image, and RAM as .data + .bss + stack', () => {
    // The .data image starts 8-aligned at 0x13c8, 4 bytes after .rodata's end: the span (what ld checks) counts the gap.
    expect(usage.flash).toEqual({ used: 808 + 4252 + 8, span: 0x13c8 + 8, capacity: 524_288, sections: { '.text': 808, '.rodata': 4252, '.data': 8 } });
    expect(usage.ram).toEqual({ used: 8 + 8 + 4096, span: 8 + 8 + 4096, capacity: 126_976, sections: { '.data': 8, '.bss': 8, '.stack': 4096 } });
  });

  it('places each sized symbol, largest first, Thumb code at its even address', () => {
    expect(usage.symbols.map((symbol) => [symbol.name, symbol.bytes, symbol.section, symbol.flash, symbol.ram])).toEqual([
      ['crc_input_table', 4096, '.rodata', true, false],
      ['main', 216, '.text', true, false],
      ['vector_table', 64, '.text', true, false],
      ['console_handle', 4, '.data', true, true],
      ['result_bss', 4, '.bss', false, true],
      ['platform_marker', 2, '.text', true, false],
    ]);
    expect(usage.symbols.find((symbol) => symbol.name === 'platform_marker')?.address).toBe(0x228);
  });

  it('attributes bytes to object files through the map', () => {
    expect(usage.objects).toContainEqual({ object: 'obj/005-crc32.o', flash: 0xd8 + 0x1000, ram: 0 });
    expect(usage.objects).toContainEqual({ object: 'obj/000-semihosting-console.o', flash: 4, ram: 4 });
  });
});
