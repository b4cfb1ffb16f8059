import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SpecError } from './errors';
import { YamlSource } from './yaml-source';

/** Where a file is and how diagnostics name it. */
export interface SpecFile {
  absolute: string;
  /** Relative to the workspace root when inside it (what Nx and editors show), else the path as given. */
  shown: string;
}

export function specFile(file: string, workspaceRoot: string): SpecFile {
  const absolute = path.resolve(workspaceRoot, file);
  const relative = path.relative(workspaceRoot, absolute);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  return { absolute, shown: inside ? relative.split(path.sep).join('/') : file };
}

export async function readSpecText(file: SpecFile): Promise<string> {
  try {
    return await readFile(file.absolute, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
}

export function readSpecTextSync(file: SpecFile): string {
  try {
    return readFileSync(file.absolute, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(file: SpecFile, error: unknown): SpecError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : String((error as Error).message ?? error);
  return new SpecError([YamlSource.fileDiagnostic(file.shown, `cannot read the file: ${reason}`)]);
}
