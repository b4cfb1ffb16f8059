import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic';
import { canonicalJson } from './canonical-json';
import { UserError } from './errors';

/** Who wrote a hand-off file and what it holds, for the errors a reader raises. */
export interface ArtifactOrigin {
  /** What the file holds, e.g. "the searched model". */
  what: string;
  /** The stage (or target) that writes it, named in the hint to run or rerun it. */
  producer: string;
  /** The `format` field the file must carry, when the writer versions it. */
  format?: string;
}

/**
 * Reads a JSON hand-off file. Missing, unreadable or not JSON is a UserError naming the file and the producer to run;
 * `problem` inspects the parsed value and returns what is wrong with it (or null), so a file from an older or foreign
 * writer fails here, with its path, and not later as an undefined field deep in a consumer.
 */
export async function readJsonArtifact<T>(file: string, origin: ArtifactOrigin, problem: (value: Partial<T>) => string | null = () => null): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read ${origin.what} (${(error as Error).message}); run the ${origin.producer} stage first`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: ${origin.what} is not valid JSON (${(error as Error).message}); rerun the ${origin.producer} stage`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${file}: expected ${origin.what} as a JSON object; rerun the ${origin.producer} stage`);
  }
  const format = (value as { format?: unknown }).format;
  const wrong = origin.format !== undefined && format !== origin.format ? `format ${JSON.stringify(format)}, expected "${origin.format}"` : problem(value);
  if (wrong !== null) throw new UserError(`${file}: not ${origin.what} as expected: ${wrong}; rerun the ${origin.producer} stage`);
  return value as T;
}

/** The canonical text of a JSON hand-off file: sorted keys, one-space indent, a final newline (byte-stable). */
export function jsonArtifactText(value: unknown): string {
  return `${canonicalJson(value, 1)}\n`;
}

/** Writes a JSON hand-off file atomically (temp file + rename) in its canonical text. */
export async function writeJsonArtifact(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, jsonArtifactText(value));
}

/** The names of `fields` that `value` lacks or holds with another JSON type than `kinds` says; for `problem` checks. */
export function missingFields(value: object, kinds: Record<string, 'string' | 'number' | 'array' | 'object'>): string | null {
  const wrong = Object.entries(kinds)
    .filter(([field, kind]) => {
      const v = (value as Record<string, unknown>)[field];
      if (kind === 'array') return !Array.isArray(v);
      if (kind === 'object') return typeof v !== 'object' || v === null || Array.isArray(v);
      return typeof v !== kind;
    })
    .map(([field, kind]) => `${field} (${kind})`);
  return wrong.length === 0 ? null : `missing or mistyped ${wrong.join(', ')}`;
}
