import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { describeFsError, FileError } from './fileError.ts';

export interface WriteAtomicOptions {
  /**
   * Also fsync the folder after the rename, so the new name itself survives a power cut (for a
   * file that marks others complete, such as run.json). Default false.
   */
  readonly syncDir?: boolean;
}

/** fsync a folder; filesystems that cannot (some network and FUSE mounts) refuse with EINVAL/ENOTSUP, which is no failure of ours. */
function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `data` to `path` so that readers see the old file or the whole new one, never a part: a
 * temp file in the same folder (so the rename stays on one filesystem), written and fsynced,
 * then renamed over `path`. On any failure the temp file is removed and a FileError names `path`
 * and the cause, e.g. "cannot write runs/x/updates.csv: no space left on device (ENOSPC)".
 */
export function writeAtomic(path: string, data: string | Uint8Array, opts: WriteAtomicOptions = {}): void {
  const dir = dirname(path);
  // Unique per process and thread, hidden, and recognisably ours if a crash leaves it behind.
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    if (opts.syncDir) syncFolder(dir);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The write already failed; that error is the one to report.
      }
    }
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was created where nothing can be removed (a read-only folder).
    }
    throw new FileError(path, `cannot write ${path}: ${describeFsError(e)}`, (e as NodeJS.ErrnoException).code);
  }
}
