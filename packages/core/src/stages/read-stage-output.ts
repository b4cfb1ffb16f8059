import { readFile } from 'node:fs/promises';
import { UserError } from '../common/errors';

/** A JSON artifact an earlier stage wrote; a missing or unreadable one is a UserError that says which stage to run. */
export async function readStageOutput<T>(file: string, what: string, stage: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new UserError(`${file}: cannot read ${what} (${(error as Error).message}); run the ${stage} stage first`);
  }
}
