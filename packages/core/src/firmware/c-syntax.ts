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
  for (let i = 0; i < values.length; i += perLine) lines.push(`  ${values.slice(i, i + perLine).map(format).join(', ')},`);
  return `{\n${lines.join('\n')}\n}`;
}
