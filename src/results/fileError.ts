import { ConfigError } from '../config/validate.ts';

/**
 * A file or folder stalelab cannot write or trust (no space, read-only, permissions, a damaged
 * saved run). The fix is the user's (free space, another --out), so it is a ConfigError: the CLI
 * prints the one line and exits 2. The message names the path; `code` is the errno code, if any.
 */
export class FileError extends ConfigError {
  constructor(
    readonly path: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'FileError';
  }
}

/** "no space left on device (ENOSPC)" from a Node fs error; libuv's own wording, without the syscall and path. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!err?.code) return String((err as Error)?.message ?? e);
  const text = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return `${text} (${err.code})`;
}
