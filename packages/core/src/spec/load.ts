import { knownBoards, loadBoardSync } from './board';
import { checkSpec } from './check';
import { SpecError } from './errors';
import { SpecFile, readSpecText, specFile } from './files';
import { normalizeSpec } from './normalize';
import type { RawSpec } from './raw-spec';
import { unknownName } from './suggest';
import type { NormalizedSpec, SpecOptions } from './types';
import { validateExperiment } from './validate';
import { YamlSource } from './yaml-source';

/**
 * Reads, validates and normalizes an experiment.yaml. `file` may be relative to the workspace root (as Nx passes
 * it). Anything wrong with the file, or with the board.yaml it names, throws SpecError.
 */
export async function loadSpec(file: string, options: SpecOptions): Promise<NormalizedSpec> {
  const located = specFile(file, options.workspaceRoot);
  return parseLocated(await readSpecText(located), located, options);
}

/** loadSpec for text already in memory; `file` names it in diagnostics and in `NormalizedSpec.file`. */
export function parseSpec(text: string, file: string, options: SpecOptions): NormalizedSpec {
  return parseLocated(text, specFile(file, options.workspaceRoot), options);
}

function parseLocated(text: string, file: SpecFile, options: SpecOptions): NormalizedSpec {
  const source = YamlSource.parse(text, file.shown);
  const raw = validateExperiment<RawSpec>(source);
  const boards = knownBoards(options.workspaceRoot);
  if (!boards.includes(raw.board)) {
    throw new SpecError([source.diagnostic(['board'], unknownName('board', raw.board, boards))]);
  }
  const spec = normalizeSpec(raw, file.absolute, loadBoardSync(options.workspaceRoot, raw.board));
  const diagnostics = checkSpec(spec, source);
  if (diagnostics.length > 0) throw new SpecError(diagnostics);
  return spec;
}
