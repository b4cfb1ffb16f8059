/** Byte-level decimal scanner for the text datasets (UCR, HAPT): no string allocation per number. */
import { DataFormatError } from '../common/errors';

export const NEWLINE = 10;
export const END = -1;
/** Exact powers of ten: a double up to 2^53 times or divided by one of these is correctly rounded (Clinger). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT_DIGITS = 15;

/** Reads decimal numbers (optionally signed, with fraction and exponent) from ASCII bytes, one token at a time. */
export class NumberScanner {
  at = 0;
  private start = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Skips spaces, tabs and CRs; returns the byte it stops at, or END. */
  skipSpaces(): number {
    const { bytes } = this;
    while (this.at < bytes.length) {
      const c = bytes[this.at];
      if (c !== 32 && c !== 9 && c !== 13) return c;
      this.at++;
    }
    return END;
  }

  /**
   * Parses the token at `at` and moves past it; NaN when it is not a plain decimal number. Up to 15 significant
   * digits are exact; further digits are dropped, which moves the value by < 1e-14 relative — far below the
   * float32 precision the samples are stored in (checked bit-equal to Number() on all of HAPT and ECG5000).
   */
  number(): number {
    const { bytes } = this;
    const length = bytes.length;
    this.start = this.at;
    let i = this.at;
    let c = bytes[i];
    const negative = c === 45;
    if (c === 45 || c === 43) i++;
    let mantissa = 0;
    let digits = 0;
    let exponent = 0;
    let sawDigit = false;
    for (; i < length && (c = bytes[i]) >= 48 && c <= 57; i++) {
      sawDigit = true;
      if (digits < MAX_EXACT_DIGITS) {
        mantissa = mantissa * 10 + (c - 48);
        if (mantissa !== 0) digits++;
      } else exponent++;
    }
    if (i < length && bytes[i] === 46) {
      for (i++; i < length && (c = bytes[i]) >= 48 && c <= 57; i++) {
        sawDigit = true;
        if (digits < MAX_EXACT_DIGITS) {
          mantissa = mantissa * 10 + (c - 48);
          if (mantissa !== 0) digits++;
          exponent--;
        }
      }
    }
    if (sawDigit && i < length && (bytes[i] === 101 || bytes[i] === 69)) {
      i++;
      const negativeExponent = bytes[i] === 45;
      if (bytes[i] === 45 || bytes[i] === 43) i++;
      let value = 0;
      let exponentDigits = 0;
      for (; i < length && (c = bytes[i]) >= 48 && c <= 57; i++, exponentDigits++) value = value * 10 + (c - 48);
      if (exponentDigits === 0) sawDigit = false;
      exponent += negativeExponent ? -value : value;
    }
    this.at = i;
    // A token must end at whitespace or the end of the input.
    if (i < length && (c = bytes[i]) !== 32 && c !== 9 && c !== 13 && c !== 10) {
      while (this.at < length && (c = bytes[this.at]) !== 32 && c !== 9 && c !== 13 && c !== 10) this.at++;
      return NaN;
    }
    if (!sawDigit) return NaN;
    let value: number;
    if (exponent >= 0 && exponent <= 22) value = mantissa * POWERS_OF_TEN[exponent];
    else if (exponent < 0 && exponent >= -22) value = mantissa / POWERS_OF_TEN[-exponent];
    else return Number(this.token()); // rare (|exponent| > 22): let the engine round it exactly
    return negative ? -value : value;
  }

  /** Text of the last token read by number(). */
  token(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.start, this.at - this.start).toString('latin1');
  }
}

/** Upper bound on the number of rows in `bytes` (LF count + 1), to size output arrays before scanRows. */
export function lineCount(bytes: Uint8Array): number {
  let lines = 1;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) lines++;
  return lines;
}

/**
 * Reads rows of whitespace-separated numbers, one row per line (LF or CRLF). For each non-blank line the first
 * `row.length` values are stored into `row` (reused for every line: no allocation per number or row) and
 * `onRow(count, line)` is called with how many values the line held, which may be more or fewer than `row.length`,
 * and its 1-based line number. Blank lines are skipped; a token that is not a finite number (`abc`, `nan`, `inf`,
 * `1e999`) throws DataFormatError file:line.
 */
export function scanRows(bytes: Uint8Array, file: string, row: Float64Array, onRow: (count: number, line: number) => void): void {
  const width = row.length;
  const scanner = new NumberScanner(bytes);
  for (let line = 1; scanner.at < bytes.length; line++) {
    let count = 0;
    for (;;) {
      const next = scanner.skipSpaces();
      if (next === NEWLINE || next === END) break;
      const value = scanner.number();
      if (Number.isNaN(value)) throw new DataFormatError(file, line, `"${scanner.token()}" is not a number`);
      // 1e999 scans as Infinity; one such sample would turn every weight trained on it into NaN.
      if (!Number.isFinite(value)) throw new DataFormatError(file, line, `"${scanner.token()}" is not a finite number`);
      if (count < width) row[count] = value;
      count++;
    }
    scanner.at++; // past the newline
    if (count > 0) onRow(count, line);
  }
}
