// A run whose outcome could not be recorded in the state directory (a full
// disk, a read-only or foreign directory, a planted link): the CLI prints the
// message, not a stack, and exits non-zero (exit-codes.ts decides the code).

export class StateWriteError extends Error {
  constructor(message: string, readonly runExitCode?: number) {
    super(message);
    this.name = 'StateWriteError';
  }
}

/** "no space left on device (ENOSPC)" from a Node error, for messages a person reads. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const plain: Record<string, string> = {
    ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system',
    EACCES: 'permission denied', EPERM: 'operation not permitted', ELOOP: 'it is a symbolic link (refused)',
    EIO: 'input/output error',
  };
  if (err?.code && plain[err.code]) return `${plain[err.code]} (${err.code})`;
  return err instanceof Error ? err.message : String(e);
}
