import { DataFormatError } from '../common/errors';

/** Integers parsed from a text table: `values[row * columns + column]`. */
export interface IntegerRows {
  values: Int32Array;
  rows: number;
  columns: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** More digits than this could overflow the Int32Array; no sensor file has them, so they are a format error. */
const MAX_DIGITS = 9;
/** How much of a bad line the error message quotes. */
const QUOTED_LINE_CHARS = 80;

/**
 * Parses lines of exactly `columns` comma-separated integers, each line ended by `;` (SisFall's format:
 * `  17,-179, -99, -18,-504,-352,  76,-697,-279;` + CRLF). Works on the raw bytes because decoding 400 MB of
 * text to strings and splitting it is several times slower and allocates a string per number.
 *
 * Tolerated: CRLF or LF line ends, spaces or tabs around numbers and after `;`, a missing `;` on the last line,
 * blank lines at the end of the file. Anything else throws `DataFormatError(file, line, ...)`, line 1-based.
 */
export function parseIntegerRows(bytes: Uint8Array, columns: number, file: string): IntegerRows {
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`parseIntegerRows: columns must be a positive integer, got ${columns}`);
  }
  const values = new Int32Array(countLines(bytes) * columns);
  const end = bytes.length;
  let pos = 0;
  let line = 1;
  let written = 0;

  while (pos < end) {
    const lineStart = pos;
    let p = skipBlanks(bytes, pos, end);
    if (p === end || bytes[p] === LF || bytes[p] === CR) {
      if (isBlankFrom(bytes, p, end)) break; // trailing blank lines
      throw badLine(bytes, lineStart, file, line, columns);
    }

    for (let column = 0; column < columns; column++) {
      p = skipBlanks(bytes, p, end);
      let negative = false;
      if (p < end && bytes[p] === MINUS) {
        negative = true;
        p++;
      }
      const digitsStart = p;
      let value = 0;
      while (p < end) {
        const b = bytes[p];
        if (b < DIGIT_0 || b > DIGIT_9) break;
        value = value * 10 + (b - DIGIT_0);
        p++;
      }
      const digits = p - digitsStart;
      if (digits === 0 || digits > MAX_DIGITS) throw badLine(bytes, lineStart, file, line, columns);
      values[written++] = negative ? -value : value;
      p = skipBlanks(bytes, p, end);
      if (column < columns - 1) {
        if (p >= end || bytes[p] !== COMMA) throw badLine(bytes, lineStart, file, line, columns);
        p++;
      }
    }

    if (p < end && bytes[p] === SEMICOLON) {
      p = skipBlanks(bytes, p + 1, end);
    } else if (isBlankFrom(bytes, p, end)) {
      p = end; // a missing ';' is accepted on the last line only (some copies of the dataset end that way)
    } else {
      throw badLine(bytes, lineStart, file, line, columns);
    }
    if (p < end && bytes[p] === CR) p++;
    if (p < end) {
      if (bytes[p] !== LF) throw badLine(bytes, lineStart, file, line, columns);
      p++;
    }
    pos = p;
    line++;
  }

  return { values: values.subarray(0, written), rows: written / columns, columns };
}

/** Upper bound on the number of lines (LF count + 1); `indexOf` is native and much faster than a JS loop. */
function countLines(bytes: Uint8Array): number {
  let lines = 1;
  let at = bytes.indexOf(LF);
  while (at !== -1) {
    lines++;
    at = bytes.indexOf(LF, at + 1);
  }
  return lines;
}

function skipBlanks(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end && (bytes[pos] === SPACE || bytes[pos] === TAB)) pos++;
  return pos;
}

function isBlankFrom(bytes: Uint8Array, pos: number, end: number): boolean {
  for (; pos < end; pos++) {
    const b = bytes[pos];
    if (b !== SPACE && b !== TAB && b !== CR && b !== LF) return false;
  }
  return true;
}

function badLine(bytes: Uint8Array, lineStart: number, file: string, line: number, columns: number): DataFormatError {
  let lineEnd = bytes.indexOf(LF, lineStart);
  if (lineEnd === -1) lineEnd = bytes.length;
  if (lineEnd > lineStart && bytes[lineEnd - 1] === CR) lineEnd--;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, lineEnd - lineStart).toString('latin1');
  const quoted = text.length > QUOTED_LINE_CHARS ? `${text.slice(0, QUOTED_LINE_CHARS)}...` : text;
  return new DataFormatError(file, line, `expected ${columns} comma-separated integers followed by ';', got ${JSON.stringify(quoted)}`);
}
