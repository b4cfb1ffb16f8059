import { readFile } from 'node:fs/promises';
import { UserError } from '../common/errors';

/** Reads a whole file; a missing one is the user's to fix (wrong folder, incomplete archive), not a crash. */
export async function readDatasetFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${file}: file not found`);
    throw error;
  }
}
