/** A place inside a YAML document: mapping keys and sequence indexes from the root. */
export type SpecPath = readonly (string | number)[];

/** `window.channels[1]`, `search.budget.sramBytes`; `(root)` for the document itself. */
export function formatPath(path: SpecPath): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/**
 * Turns an ajv instancePath (JSON pointer) into a SpecPath. Segments are numbers only where the data holds a
 * list, so a mapping key that looks like a number (`"1": x`) stays a key.
 */
export function pointerToPath(pointer: string, data: unknown): SpecPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      path.push(Number(key));
      current = current[Number(key)];
    } else {
      path.push(key);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}
