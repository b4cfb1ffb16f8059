/** What a user can do about a file-system error that names a path (disk full, read-only, no permission). */
const ADVICE: Record<string, string> = {
  ENOSPC: 'no space left on the device: free some space and run again',
  EDQUOT: 'disk quota exceeded: free some space and run again',
  EROFS: 'the file system is read-only: point the outputs at a writable folder',
  EACCES: 'permission denied: check the folder’s owner and mode',
  EPERM: 'operation not permitted: check the folder’s owner and mode',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and run again',
};

/**
 * "cannot write dist/…/windows.bin: no space left on the device: …", or null for errors that are not of this kind.
 * Node leaves the path out of some of them (a failed write(2) has none), so the caller says where it was writing.
 */
export function describeFileSystemError(error: unknown, writingTo?: string): string | null {
  const { code, path, dest, syscall } = (error ?? {}) as { code?: string; path?: string; dest?: string; syscall?: string };
  if (code === undefined || !(code in ADVICE)) return null;
  const where = path ? ` ${path}${dest ? ` → ${dest}` : ''}` : writingTo ? ` under ${writingTo}` : '';
  return `cannot ${syscall ?? 'access'}${where}: ${ADVICE[code]} (${code})`;
}
