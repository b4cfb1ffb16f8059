/**
 * Flash and RAM of a linked image, by section, by symbol and by object file: what flash-test compares with the
 * memory model's prediction (model/memory.ts), byte for byte.
 *
 * Flash holds every section with a load image (code, constants, the initial values of .data); RAM holds every
 * allocated section whose run address is in RAM (.data, .bss, the stack). .data counts in both.
 */
import type { MapFile } from './map-file';
import { hasLoadImage, isAllocated, SectionHeader } from './section-headers';
import type { ElfSymbol } from './symbols';

export interface Region {
  origin: number;
  bytes: number;
}

export interface RegionUsage {
  /** Bytes of the image's sections in the region (their sizes added up). */
  used: number;
  /**
   * Bytes from the region's origin to the end of its last section: `used` plus the alignment gaps the linker left
   * between sections — what ld compares with the region's length, so an overflow is span − capacity. Equal to
   * `used` for a hosted image, which has no regions.
   */
  span: number;
  /** The region's size (the board's budget for it). */
  capacity: number;
  /** Bytes per output section, e.g. {".text": 808, ".rodata": 4252}. */
  sections: Record<string, number>;
}

export interface SymbolUsage {
  name: string;
  address: number;
  bytes: number;
  /** nm's type letter (T code, R read-only data, D data, B bss; lower case = file-local). */
  type: string;
  section: string | null;
  /** Which budgets the symbol counts against: .data objects are in both. */
  flash: boolean;
  ram: boolean;
}

export interface MemoryUsage {
  flash: RegionUsage;
  ram: RegionUsage;
  /** Sized symbols (functions and objects), largest first. */
  symbols: SymbolUsage[];
  /** Flash and RAM bytes per object file (library members as "libc.a(memcpy.o)"), from the map file. */
  objects: { object: string; flash: number; ram: number }[];
}

export interface MemoryUsageInput {
  sections: SectionHeader[];
  symbols: ElfSymbol[];
  map: MapFile | null;
  /**
   * The linker script's FLASH and RAM. null for a hosted (native) image, which has no such regions: there, flash
   * is every section with a load image and RAM every writable allocated section; capacities come from `budget`.
   */
  regions: { flash: Region; ram: Region } | null;
  budget: { flashBytes: number; ramBytes: number };
  /** Thumb code symbols have bit 0 set; mask it to get the byte address. */
  thumb?: boolean;
}

const within = (region: Region, address: number): boolean => address >= region.origin && address < region.origin + region.bytes;

/** The usage report of one image. */
export function memoryUsage(input: MemoryUsageInput): MemoryUsage {
  const { regions } = input;
  const allocated = input.sections.filter(isAllocated).filter((section) => section.bytes > 0);
  const flashSections = allocated.filter((section) => hasLoadImage(section) && (regions === null || within(regions.flash, section.lma)));
  const ramSections = allocated.filter((section) => (regions === null ? !section.flags.includes('READONLY') : within(regions.ram, section.vma)));
  const flashUsed = sum(flashSections.map((section) => section.bytes));
  const ramUsed = sum(ramSections.map((section) => section.bytes));
  const flash: RegionUsage = {
    used: flashUsed,
    span:
      regions === null
        ? flashUsed
        : extent(
            regions.flash,
            flashSections.map((section) => ({ start: section.lma, bytes: section.bytes })),
          ),
    capacity: input.budget.flashBytes,
    sections: Object.fromEntries(flashSections.map((section) => [section.name, section.bytes])),
  };
  const ram: RegionUsage = {
    used: ramUsed,
    span:
      regions === null
        ? ramUsed
        : extent(
            regions.ram,
            ramSections.map((section) => ({ start: section.vma, bytes: section.bytes })),
          ),
    capacity: input.budget.ramBytes,
    sections: Object.fromEntries(ramSections.map((section) => [section.name, section.bytes])),
  };

  const symbols: SymbolUsage[] = [];
  for (const symbol of input.symbols) {
    if (symbol.bytes === null || symbol.bytes === 0) continue;
    const address = input.thumb === true && /[Tt]/.test(symbol.type) ? symbol.address & ~1 : symbol.address;
    const section = allocated.find((candidate) => address >= candidate.vma && address < candidate.vma + candidate.bytes) ?? null;
    if (section === null) continue;
    symbols.push({
      name: symbol.name,
      address,
      bytes: symbol.bytes,
      type: symbol.type,
      section: section.name,
      flash: flashSections.includes(section),
      ram: ramSections.includes(section),
    });
  }
  symbols.sort((a, b) => b.bytes - a.bytes || a.address - b.address);

  return { flash, ram, symbols, objects: objectUsage(input.map, flashSections, ramSections) };
}

function objectUsage(map: MapFile | null, flashSections: SectionHeader[], ramSections: SectionHeader[]): MemoryUsage['objects'] {
  if (map === null) return [];
  const flashNames = new Set(flashSections.map((section) => section.name));
  const ramNames = new Set(ramSections.map((section) => section.name));
  const byObject = new Map<string, { flash: number; ram: number }>();
  for (const input of map.inputSections) {
    if (input.bytes === 0) continue;
    const inFlash = flashNames.has(input.outputSection);
    const inRam = ramNames.has(input.outputSection);
    if (!inFlash && !inRam) continue;
    const entry = byObject.get(input.object) ?? { flash: 0, ram: 0 };
    if (inFlash) entry.flash += input.bytes;
    if (inRam) entry.ram += input.bytes;
    byObject.set(input.object, entry);
  }
  return [...byObject.entries()]
    .map(([object, usage]) => ({ object, ...usage }))
    .sort((a, b) => b.flash + b.ram - (a.flash + a.ram) || a.object.localeCompare(b.object));
}

/** The sized symbol called `name`, or undefined. */
export function findSymbol(usage: MemoryUsage, name: string): SymbolUsage | undefined {
  return usage.symbols.find((symbol) => symbol.name === name);
}

/** From the region's origin to the end of the last of `sections` placed in it (0 when there are none). */
function extent(region: Region, sections: { start: number; bytes: number }[]): number {
  return sections.reduce((end, section) => Math.max(end, section.start + section.bytes - region.origin), 0);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
