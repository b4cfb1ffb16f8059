/**
 * Errors a user can act on. The CLI and the Nx executors print `message` alone (no stack) and exit non-zero;
 * anything else that escapes is a bug and is printed with its stack.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string) {
    super(boundMessage(message));
  }
}

/** Longest line an error prints whole; a 2 MB YAML scalar or a symlinked binary must not flood the terminal. */
export const MAX_ERROR_LINE = 400;
const MAX_ERROR_LINES = 40;

/**
 * Bounds a message for the terminal: a line longer than MAX_ERROR_LINE keeps its start and end around a note of
 * how much was left out, and at most MAX_ERROR_LINES lines are kept.
 */
export function boundMessage(message: string): string {
  const lines = message.split('\n');
  const kept = lines.slice(0, MAX_ERROR_LINES).map((line) => {
    if (line.length <= MAX_ERROR_LINE) return line;
    const head = line.slice(0, MAX_ERROR_LINE - 100);
    const tail = line.slice(-60);
    return `${head} … (${line.length - head.length - tail.length} characters left out) … ${tail}`;
  });
  if (lines.length > MAX_ERROR_LINES) kept.push(`… (${lines.length - MAX_ERROR_LINES} more lines left out)`);
  return kept.join('\n');
}

/** A dataset file does not have the format its adapter expects. */
export class DataFormatError extends UserError {
  override name = 'DataFormatError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
