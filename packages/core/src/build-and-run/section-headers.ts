/**
 * `objdump -h -w` output. `size -A` gives sizes and run addresses only; whether a section occupies flash (has a
 * load image: the LOAD flag and its LMA) or only RAM (NOLOAD .bss, the stack) needs the headers.
 */

export interface SectionHeader {
  name: string;
  bytes: number;
  /** Run address. */
  vma: number;
  /** Load address: where the section's initial contents are stored (equal to vma unless copied at reset). */
  lma: number;
  flags: string[];
}

/** Parses `<prefix>objdump -h -w <elf>`. */
export function parseSectionHeaders(text: string): SectionHeader[] {
  const headers: SectionHeader[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+2\*\*\d+\s*(.*)$/i.exec(line);
    if (match === null) continue;
    headers.push({
      name: match[1],
      bytes: parseInt(match[2], 16),
      vma: parseInt(match[3], 16),
      lma: parseInt(match[4], 16),
      flags: match[5]
        .split(',')
        .map((flag) => flag.trim())
        .filter((flag) => flag !== ''),
    });
  }
  return headers;
}

/** Takes memory on the target (not debug info or notes). */
export function isAllocated(section: SectionHeader): boolean {
  return section.flags.includes('ALLOC');
}

/** Has initial contents that must be stored in flash (code, constants, .data's image). */
export function hasLoadImage(section: SectionHeader): boolean {
  return section.flags.includes('ALLOC') && section.flags.includes('LOAD') && section.bytes > 0;
}
