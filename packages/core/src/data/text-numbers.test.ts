import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../common/errors';
import { parseIntegerRows } from './text-numbers';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('parseIntegerRows', () => {
  it('parses CRLF and LF rows with spaces, tabs and negative numbers', () => {
    const rows = parseIntegerRows(bytes('  1, -22,333;\r\n-4,\t5 , 6 ;\n7,8,-9;'), 3, 'f.txt');
    expect(rows.rows).toBe(3);
    expect(Array.from(rows.values)).toEqual([1, -22, 333, -4, 5, 6, 7, 8, -9]);
  });

  it("accepts a missing ';' on the last line and trailing blank lines", () => {
    expect(Array.from(parseIntegerRows(bytes('1,2;\r\n3,4\r\n\r\n  \n'), 2, 'f.txt').values)).toEqual([1, 2, 3, 4]);
    expect(parseIntegerRows(bytes(''), 2, 'f.txt').rows).toBe(0);
  });

  it('rejects bad rows with the file, the 1-based line and the line text', () => {
    const cases: [string, number][] = [
      ['1,2;\n3;\n', 2], // too few values
      ['1,2,3;\n', 1], // too many values
      ['1,2;\n3,x;\n', 2], // not a number
      ['1,2\n3,4;\n', 1], // missing ';' before the last line
      ['1,2;\n\n3,4;\n', 2], // blank line inside the data
      ['1,2;\n-,4;\n', 2], // a sign alone
      ['1,2;\n3,1234567890;\n', 2], // more digits than an int32 safely holds
      ['1,2;\r3,4;\n', 1], // a bare CR is not a line end
      ['1,2;;\n', 1],
    ];
    for (const [text, line] of cases) {
      let caught: unknown;
      try {
        parseIntegerRows(bytes(text), 2, 'dir/f.txt');
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(text)).toBeInstanceOf(DataFormatError);
      expect((caught as DataFormatError).line).toBe(line);
      expect((caught as DataFormatError).message).toMatch(new RegExp(`^dir/f\\.txt:${line}: expected 2 comma-separated integers followed by ';', got "`));
    }
  });

  it('quotes the offending line in the error', () => {
    expect(() => parseIntegerRows(bytes('1,2;\r\n3,oops;\r\n'), 2, 'f.txt')).toThrow(
      `f.txt:2: expected 2 comma-separated integers followed by ';', got "3,oops;"`,
    );
  });
});
