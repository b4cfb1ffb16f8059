/**
 * Errors a user can act on. The CLI and the Nx executors print `message` alone (no stack) and exit non-zero;
 * anything else that escapes is a bug and is printed with its stack.
 */
export class UserError extends Error {
  override name = 'UserError';
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
