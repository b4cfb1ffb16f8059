import { UserError } from '../common/errors';

/** One problem in a YAML file, pointing at the place to fix (1-based line and column). */
export interface Diagnostic {
  /** The file as shown to the user: relative to the workspace root when inside it, else as given. */
  file: string;
  line: number;
  column: number;
  /** Dotted path of the offending setting, e.g. `window.overlap` or `window.channels[1]`; `(root)` for the document. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.path}: ${d.message}`;
}

/**
 * An experiment.yaml or board.yaml the user must fix. `message` lists every diagnostic, one per line, in the
 * `file:line:col: path: message` form editors and CI log viewers turn into links.
 */
export class SpecError extends UserError {
  override name = 'SpecError';
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = [...diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    super(sorted.map(formatDiagnostic).join('\n'));
    this.diagnostics = sorted;
  }
}
