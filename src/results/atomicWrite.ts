import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
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

/** This machine in temp file names (no dots, so that the name parses back). */
const HOST = hostname().replace(/[^A-Za-z0-9-]/g, '_') || 'host';
const TEMP = /^\..+\.([A-Za-z0-9_-]+)\.(\d+)-\d+-[0-9a-f]{8}\.tmp$/;
/** A temp file this old whose writer is gone is a leftover: a write takes milliseconds to seconds. */
const LEFTOVER_MS = 60_000;

/** The temp file a write of `path` goes through: hidden, unique per machine, process and thread, recognisably ours. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${HOST}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`);
}

function processGone(pid: number, mtimeMs: number): boolean {
  // This process's own pid on a file older than the process: an earlier process that had it.
  if (pid === process.pid) return mtimeMs < Date.now() - process.uptime() * 1000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const swept = new Set<string>();

/**
 * Once per folder and process: remove the temp files that writers on this machine left when they
 * were killed mid-write (SIGKILL, out of memory), i.e. whose process is gone and which are over a
 * minute old. Another machine's (a shared folder), a live process's, or a name not ours is left.
 */
function removeLeftovers(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || m[1] !== HOST) continue;
    const file = join(dir, name);
    try {
      const { mtimeMs } = statSync(file);
      if (mtimeMs < Date.now() - LEFTOVER_MS && processGone(Number(m[2]), mtimeMs)) rmSync(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to remove: either way nothing to do.
    }
  }
}

/**
 * Write `data` to `path` so that readers see the old file or the whole new one, never a part: a
 * temp file in the same folder (so the rename stays on one filesystem), written and fsynced,
 * then renamed over `path`. On any failure the temp file is removed and a FileError names `path`
 * and the cause, e.g. "cannot write runs/x/updates.csv: no space left on device (ENOSPC)". The first
 * write into a folder also removes temp files that killed writers left there (removeLeftovers).
 */
export function writeAtomic(path: string, data: string | Uint8Array, opts: WriteAtomicOptions = {}): void {
  const dir = dirname(path);
  removeLeftovers(dir);
  const tmp = tempPath(path);
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
