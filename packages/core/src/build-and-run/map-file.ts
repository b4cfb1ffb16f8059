/**
 * GNU ld map files (-Wl,-Map=…): which input section of which object file went where. With -ffunction-sections
 * and -fdata-sections each function and object is its own input section, so the map attributes every byte of
 * flash and RAM to an object file (runtime, model, libc member) — what runtimeCodeBytes is measured from.
 */

export interface MapInputSection {
  /** Output section it was placed in, e.g. ".rodata". */
  outputSection: string;
  /** Input section name, e.g. ".rodata.tinyml_model_blob". */
  name: string;
  address: number;
  bytes: number;
  /** Object file, or "archive.a(member.o)" for library members. */
  object: string;
  /** Global symbols the map lists inside this input section (static ones are not listed by ld). */
  symbols: string[];
}

export interface MapOutputSection {
  name: string;
  address: number;
  bytes: number;
  /** "load address" when ld printed one (it does for every section placed with AT>, NOLOAD ones included). */
  loadAddress: number | null;
}

export interface MapFile {
  memoryRegions: { name: string; origin: number; bytes: number }[];
  outputSections: MapOutputSection[];
  inputSections: MapInputSection[];
}

const NUMBER = '0x[0-9a-f]+';

/** Parses the "Memory Configuration" and "Linker script and memory map" parts of a GNU ld map file. */
export function parseMapFile(text: string): MapFile {
  const lines = text.split('\n');
  const memoryRegions: MapFile['memoryRegions'] = [];
  const outputSections: MapOutputSection[] = [];
  const inputSections: MapInputSection[] = [];
  let part: 'preamble' | 'memory' | 'map' = 'preamble';
  let output: MapOutputSection | null = null;
  let pendingInputName: string | null = null;
  let lastInput: MapInputSection | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('Memory Configuration')) {
      part = 'memory';
      continue;
    }
    if (line.startsWith('Linker script and memory map')) {
      part = 'map';
      continue;
    }
    if (part === 'memory') {
      const region = new RegExp(`^(\\S+)\\s+(${NUMBER})\\s+(${NUMBER})`, 'i').exec(line);
      if (region !== null && region[1] !== '*default*') {
        memoryRegions.push({ name: region[1], origin: parseInt(region[2], 16), bytes: parseInt(region[3], 16) });
      }
      continue;
    }
    if (part !== 'map') continue;

    // An output section starts in column 0: ".data  0x20000000  0x8 load address 0x000013c8" (the numbers move to
    // the next line when the name is long).
    const outputStart = /^(\.\S*|\S+)(?:\s+(.*))?$/.exec(line);
    if (outputStart !== null && !line.startsWith(' ') && outputStart[1] !== 'LOAD' && !outputStart[1].startsWith('OUTPUT(')) {
      let rest = outputStart[2] ?? '';
      if (rest.trim() === '' && i + 1 < lines.length && /^\s+0x/i.test(lines[i + 1])) rest = lines[++i];
      const numbers = new RegExp(`^\\s*(${NUMBER})\\s+(${NUMBER})(?:\\s+load address\\s+(${NUMBER}))?`, 'i').exec(rest);
      if (numbers !== null) {
        output = {
          name: outputStart[1],
          address: parseInt(numbers[1], 16),
          bytes: parseInt(numbers[2], 16),
          loadAddress: numbers[3] === undefined ? null : parseInt(numbers[3], 16),
        };
        outputSections.push(output);
      } else {
        output = null;
      }
      pendingInputName = null;
      lastInput = null;
      continue;
    }
    if (output === null) continue;

    // An input section: " .rodata.blob  0x00000328  0x4d2 obj.o", or its name alone with the rest on the next line.
    const inputFull = new RegExp(`^ (\\S+)\\s+(${NUMBER})\\s+(${NUMBER})\\s+(.+)$`, 'i').exec(line);
    const continuation = new RegExp(`^\\s{2,}(${NUMBER})\\s+(${NUMBER})\\s+(\\S.*)$`, 'i').exec(line);
    if (inputFull !== null && !inputFull[1].startsWith('*')) {
      lastInput = addInput(inputSections, output.name, inputFull[1], inputFull[2], inputFull[3], inputFull[4]);
      pendingInputName = null;
      continue;
    }
    if (pendingInputName !== null && continuation !== null) {
      lastInput = addInput(inputSections, output.name, pendingInputName, continuation[1], continuation[2], continuation[3]);
      pendingInputName = null;
      continue;
    }
    const nameOnly = /^ (\.\S+|COMMON)$/.exec(line);
    if (nameOnly !== null) {
      pendingInputName = nameOnly[1];
      lastInput = null;
      continue;
    }
    // A symbol inside the last input section: 16 spaces, its address, then its name (assignments contain '=').
    const symbol = new RegExp(`^\\s{16}(${NUMBER})\\s+([A-Za-z_.$][\\w.$]*)\\s*$`, 'i').exec(line);
    if (symbol !== null && lastInput !== null) lastInput.symbols.push(symbol[2]);
  }
  return { memoryRegions, outputSections, inputSections };
}

function addInput(into: MapInputSection[], outputSection: string, name: string, address: string, bytes: string, object: string): MapInputSection {
  const input: MapInputSection = {
    outputSection,
    name,
    address: parseInt(address, 16),
    bytes: parseInt(bytes, 16),
    object: object.trim(),
    symbols: [],
  };
  into.push(input);
  return input;
}
