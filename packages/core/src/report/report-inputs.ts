import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { REPORT_INPUT_FILES } from './artifacts';

/**
 * The `report` target's cache key part from the stage outputs: one line per file the report reads, with its
 * sha256 or "absent". The report does not depend on the stages (running it must not start hours of training), so
 * Nx cannot hash their outputs through dependentTasksOutputFiles; this `runtime` input hashes what is there
 * instead, so a stage that reruns, or runs for the first time, changes the key and nothing else does.
 */
export async function reportInputsText(experimentDir: string): Promise<string> {
  const lines: string[] = [];
  for (const [stage, files] of Object.entries(REPORT_INPUT_FILES)) {
    for (const file of files) {
      let digest = 'absent';
      try {
        digest = createHash('sha256')
          .update(await readFile(path.join(experimentDir, stage, file)))
          .digest('hex');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      lines.push(`${stage}/${file} ${digest}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
