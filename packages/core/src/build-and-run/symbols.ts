/** `nm -S` output: each defined symbol's address and exact size (the ELF st_size, independent of padding). */

export interface ElfSymbol {
  name: string;
  address: number;
  /** null for symbols without a size (linker-script symbols, labels). */
  bytes: number | null;
  /** nm's type letter: T/t code, R/r read-only data, D/d data, B/b bss, A absolute, … (lower case = local). */
  type: string;
}

/** Parses `<prefix>nm -S -n --defined-only <elf>`. Thumb code addresses keep bit 0 as nm prints it. */
export function parseNmSymbols(text: string): ElfSymbol[] {
  const symbols: ElfSymbol[] = [];
  for (const line of text.split('\n')) {
    const sized = /^([0-9a-f]+)\s+([0-9a-f]+)\s+(\S)\s+(\S+)$/i.exec(line.trim());
    if (sized !== null) {
      symbols.push({ address: parseInt(sized[1], 16), bytes: parseInt(sized[2], 16), type: sized[3], name: sized[4] });
      continue;
    }
    const unsized = /^([0-9a-f]+)\s+(\S)\s+(\S+)$/i.exec(line.trim());
    if (unsized !== null) symbols.push({ address: parseInt(unsized[1], 16), bytes: null, type: unsized[2], name: unsized[3] });
  }
  return symbols;
}
