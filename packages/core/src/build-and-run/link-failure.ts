/**
 * Turns GNU ld's failure output into a message a user can act on. ld reports a full region as
 *   "section `.bss' will not fit in region `RAM'" and "region `RAM' overflowed by 77128 bytes"
 * and the board's ASSERTs (linker-script.ts) as "nx-tinyml: RAM overflow: …".
 */
import { UserError } from '../common/errors';
import type { BoardDefinition } from '../spec/types';
import { LINKER_ASSERT_PREFIX } from './linker-script';
import type { MemoryUsage } from './memory-usage';

export interface RegionOverflow {
  region: string;
  bytes: number;
  /** Output sections ld said do not fit, e.g. [".bss"]. */
  sections: string[];
}

export interface LinkFailure {
  overflows: RegionOverflow[];
  /** Texts of the failed nx-tinyml ASSERTs, without the prefix. */
  assertions: string[];
  /** Other error lines (undefined references, …), as ld printed them minus its path. */
  otherErrors: string[];
}

const QUOTED = "[`'‘]([^`'’]+)['’]";

/** Parses a failed link's combined output; null when it shows no recognisable linker failure. */
export function parseLinkFailure(output: string): LinkFailure | null {
  const overflows = new Map<string, RegionOverflow>();
  const assertions: string[] = [];
  const otherErrors: string[] = [];
  const sectionsByRegion = new Map<string, string[]>();
  for (const rawLine of output.split('\n')) {
    // "…/bin/ld: message" (the path varies per toolchain).
    const line = rawLine.replace(/^.*?\bld(?:\.bfd)?:\s*/, '').trim();
    if (line === '') continue;
    const overflow = new RegExp(`region ${QUOTED} overflowed by (\\d+) bytes?`).exec(line);
    if (overflow !== null) {
      overflows.set(overflow[1], { region: overflow[1], bytes: Number(overflow[2]), sections: [] });
      continue;
    }
    const section = new RegExp(`section ${QUOTED} will not fit in region ${QUOTED}`).exec(line);
    if (section !== null) {
      const list = sectionsByRegion.get(section[2]) ?? [];
      if (!list.includes(section[1])) list.push(section[1]);
      sectionsByRegion.set(section[2], list);
      continue;
    }
    const index = line.indexOf(LINKER_ASSERT_PREFIX);
    if (index >= 0) {
      assertions.push(line.slice(index + LINKER_ASSERT_PREFIX.length).trim());
      continue;
    }
    if (rawLine !== line && !/^collect2:/.test(line)) otherErrors.push(line);
  }
  for (const [region, sections] of sectionsByRegion) {
    const entry = overflows.get(region);
    if (entry !== undefined) entry.sections = sections;
    else overflows.set(region, { region, bytes: 0, sections });
  }
  if (overflows.size === 0 && assertions.length === 0 && otherErrors.length === 0) return null;
  return { overflows: [...overflows.values()], assertions, otherErrors };
}

/** A link-time check of the board's linker script failed (linker-script.ts ASSERTs). */
export class LinkCheckError extends UserError {
  override name = 'LinkCheckError';
}

/** The program does not fit the board: a FLASH or RAM region overflowed (or an overflow ASSERT failed). */
export class LinkOverflowError extends LinkCheckError {
  override name = 'LinkOverflowError';
  constructor(
    message: string,
    readonly board: string,
    readonly overflows: RegionOverflow[],
    /** What the program would take, from a re-link with the emulator's full memory; null if that failed too. */
    readonly wanted: MemoryUsage | null,
  ) {
    super(message);
  }
}

const bytes = (value: number): string => value.toLocaleString('en-US');

/**
 * "program does not fit stm32f446ze: RAM overflowed by 77,128 bytes (RAM is 126,976 bytes: sramBytes 131,072 −
 * reserveSramBytes 4,096; it needs 204,104: tinyml_arena 200,000 + stack 4,096 + 8 other static data and alignment)". One figure: with a
 * measuring re-link, the bytes over are what it needs (the region's span, alignment gaps included, as ld counts)
 * minus the region's size, and the terms add up to what it needs; without one, ld's own count.
 */
export function describeLinkFailure(board: BoardDefinition, failure: LinkFailure, wanted: MemoryUsage | null): string {
  const parts: string[] = [];
  for (const overflow of consistentOverflows(board, failure, wanted)) {
    const head = `${overflow.region} overflowed by ${overflow.bytes > 0 ? `${bytes(overflow.bytes)} bytes` : 'an unknown number of bytes'}`;
    parts.push(`${head} (${regionExplanation(board, overflow.region)}${breakdown(overflow.region, wanted, board)})`);
  }
  // ASSERT texts repeat an overflow already reported with its byte count; show them only when they add something.
  const reported = new Set(failure.overflows.map((overflow) => overflow.region));
  for (const assertion of failure.assertions) {
    const region = /^(FLASH|RAM) overflow/.exec(assertion)?.[1];
    if (region === undefined || !reported.has(region)) parts.push(assertion);
  }
  if (parts.length === 0) parts.push(...failure.otherErrors);
  return `${isOverflow(failure) ? 'program does not fit' : 'link failed for'} ${board.name}: ${parts.join('; ')}`;
}

/**
 * The overflows with their byte counts taken from the measuring re-link where there is one (what the program needs
 * minus the board's region), so that the figure and the breakdown beside it can never disagree.
 */
export function consistentOverflows(board: BoardDefinition, failure: LinkFailure, wanted: MemoryUsage | null): RegionOverflow[] {
  return failure.overflows.map((overflow) => {
    const capacity = regionBytes(board, overflow.region);
    if (wanted === null || capacity === null) return overflow;
    const needs = overflow.region === 'RAM' ? wanted.ram.span : wanted.flash.span;
    return needs > capacity ? { ...overflow, bytes: needs - capacity } : overflow;
  });
}

function regionBytes(board: BoardDefinition, region: string): number | null {
  if (region === 'FLASH') return board.memory.flashBytes;
  if (region === 'RAM') return board.memory.sramBytes - board.memory.reserveSramBytes;
  return null;
}

/** The failure is about memory (a region or an overflow ASSERT), not another link check. */
export function isOverflow(failure: LinkFailure): boolean {
  return failure.overflows.length > 0 || failure.assertions.some((assertion) => /^(FLASH|RAM) overflow/.test(assertion));
}

function regionExplanation(board: BoardDefinition, region: string): string {
  const { flashBytes, sramBytes, reserveSramBytes } = board.memory;
  if (region === 'FLASH') return `FLASH is ${bytes(flashBytes)} bytes`;
  if (region === 'RAM') {
    const ram = sramBytes - reserveSramBytes;
    return reserveSramBytes > 0
      ? `RAM is ${bytes(ram)} bytes: sramBytes ${bytes(sramBytes)} − reserveSramBytes ${bytes(reserveSramBytes)}`
      : `RAM is ${bytes(ram)} bytes`;
  }
  return `region ${region}`;
}

/** "; it needs 204,104: tinyml_arena 200,000 + stack 4,096 + 8 other static data and alignment" from the measuring re-link. */
function breakdown(region: string, wanted: MemoryUsage | null, board: BoardDefinition): string {
  if (wanted === null || (region !== 'RAM' && region !== 'FLASH')) return '';
  const inRam = region === 'RAM';
  // The span, not the sum of the sections: ld counts the alignment gaps between them too.
  const total = inRam ? wanted.ram.span : wanted.flash.span;
  const largest = wanted.symbols.filter((symbol) => (inRam ? symbol.ram : symbol.flash)).slice(0, 3);
  const items = largest.map((symbol) => ({ name: symbol.name, bytes: symbol.bytes }));
  if (inRam) items.push({ name: 'stack', bytes: board.memory.stackBytes });
  items.sort((a, b) => b.bytes - a.bytes);
  const named = items.reduce((acc, item) => acc + item.bytes, 0);
  const rest = total - named;
  const terms = items.map((item) => `${item.name} ${bytes(item.bytes)}`);
  if (rest > 0) terms.push(`${bytes(rest)} ${inRam ? 'other static data and alignment' : 'more'}`);
  return `; it needs ${bytes(total)}: ${terms.join(' + ')}`;
}
