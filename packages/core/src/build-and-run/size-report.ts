/** `size -A` (System V format) output: one row per section with its size and address. */

export interface SizeSection {
  name: string;
  bytes: number;
  address: number;
}

/** Parses `<prefix>size -A <elf>`; the "Total" row and the header are left out. */
export function parseSizeA(text: string): SizeSection[] {
  const sections: SizeSection[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (match === null) continue;
    sections.push({ name: match[1], bytes: Number(match[2]), address: Number(match[3]) });
  }
  return sections;
}
