/** Small helpers for generated C: identifiers and array initialisers. */

/** A C identifier from a name: letters, digits and underscores, not starting with a digit. */
export function cIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** `{ a, b, ... }` with `perLine` values a line, each written by `format`. */
export function cArray<T>(values: readonly T[], perLine: number, format: (value: T) => string): string {
  if (values.length === 0) return '{ 0 }';
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine)
    lines.push(
      `  ${values
        .slice(i, i + perLine)
        .map(format)
        .join(', ')},`,
    );
  return `{\n${lines.join('\n')}\n}`;
}

/** C lines of `put_int(value)`: a decimal int32 through platform_write (platform.h), for generated test programs. */
export const C_PUT_INT: readonly string[] = [
  'static void put_int(int32_t value)',
  '{',
  '  char text[12];',
  '  int32_t n = 0;',
  '  uint32_t magnitude = value < 0 ? 0u - (uint32_t)value : (uint32_t)value;',
  '  do {',
  "    text[11 - n++] = (char)('0' + magnitude % 10u);",
  '    magnitude /= 10u;',
  '  } while (magnitude != 0u);',
  "  if (value < 0) text[11 - n++] = '-';",
  '  platform_write(&text[12 - n], (size_t)n);',
  '}',
];
