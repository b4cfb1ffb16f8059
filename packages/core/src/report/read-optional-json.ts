import { readFile } from 'node:fs/promises';
import { UserError } from '../common/errors';

/** A stage output, or null when it is not there; a file that is there but is not JSON is the user's to fix. */
export async function readOptionalJson<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`${file}: cannot read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message}); rerun the stage that writes it`);
  }
}
