import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, realpathSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { describeFsError, FileError } from './fileError.ts';

/** Linux limits: bytes in one path, and in one name within it. */
const PATH_MAX = 4095;
const NAME_MAX = 255;
/** Bytes of the probe file: one page, so a full disk refuses it (an empty file needs no block). */
const PROBE_BYTES = 4096;

/**
 * Kernel pseudo-filesystems (statfs f_type): writing a run there is never meant, and Node's
 * recursive mkdir loops forever under /proc, so they are refused before any mkdir.
 */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0xf97cff8c, 'selinuxfs'],
  [0xde5e81e4, 'efivarfs'],
]);
/** Also by path: devtmpfs reports tmpfs's f_type, and /dev/shm is the one ordinary place under /dev. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

export interface OutputDirOptions {
  /** Write into a directory that already holds files (a saved run's are replaced). Default false. */
  readonly overwrite?: boolean;
  /** How the user gave the path, for messages and advice (e.g. "--out"); default "output directory". */
  readonly flag?: string;
}

interface Where {
  readonly what: string;
  readonly another: string;
  fail(reason: string, fix?: string): never;
}

function where(dir: string, flag: string | undefined): Where {
  const what = flag ? `${flag} ${JSON.stringify(dir)}` : `output directory ${JSON.stringify(dir)}`;
  const another = flag ? `choose another ${flag}` : 'choose another output directory';
  return {
    what,
    another,
    fail(reason: string, fix = another): never {
      throw new FileError(dir, `${what}: ${reason}; ${fix}`);
    },
  };
}

function adviceFor(code: string | undefined, w: Where): string {
  if (code === 'EACCES' || code === 'EPERM') return `check its permissions or ${w.another}`;
  if (code === 'EROFS') return `it is on a read-only filesystem: ${w.another}`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `free some space or ${w.another}`;
  return w.another;
}

function checkName(abs: string, w: Where): void {
  const bytes = Buffer.byteLength(abs);
  if (bytes > PATH_MAX) w.fail(`the path is ${bytes} bytes long, more than the ${PATH_MAX} a path may have`, `give a shorter path`);
  for (const part of abs.split(sep)) {
    const n = Buffer.byteLength(part);
    if (n > NAME_MAX) w.fail(`the name "${part.slice(0, 24)}…" is ${n} bytes long, more than the ${NAME_MAX} a file name may have`, 'give a shorter name');
  }
}

function pseudoFilesystem(existing: string): string | undefined {
  const real = realpathSync(existing);
  const root = PSEUDO_ROOTS.find((r) => real === r || real.startsWith(`${r}/`));
  if (root && !(real === '/dev/shm' || real.startsWith('/dev/shm/'))) return root;
  try {
    return PSEUDO_FILESYSTEMS.get(Number(statfsSync(real).type));
  } catch {
    return undefined;
  }
}

/**
 * Create `dir` and any missing parents, one level at a time (at most one mkdir per path
 * component, so the attempt is bounded), after refusing pseudo-filesystems and a file in the
 * path. Returns the absolute path and whether it already existed. Errors are FileErrors naming
 * the path, the cause and what to do.
 */
export function ensureDir(dir: string, opts: Pick<OutputDirOptions, 'flag'> = {}): { path: string; existed: boolean } {
  const w: Where = where(dir, opts.flag);
  if (typeof dir !== 'string' || dir.trim() === '') w.fail('an empty path', 'give a directory name');
  if (dir.includes('\0')) w.fail('the path contains a NUL byte', 'give a plain directory name');
  const abs = resolve(dir);
  checkName(abs, w);
  // The deepest part of the path that exists; every level above `abs` is tried at most once.
  const toCreate: string[] = [];
  let existing = abs;
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) {
        w.fail(existing === abs ? 'it is a file, not a directory' : `${existing} is a file, so nothing can be created below it`, `move the file or ${w.another}`);
      }
      break;
    } catch (e) {
      if (e instanceof FileError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const parent = dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) w.fail(`cannot look at ${existing}: ${describeFsError(e)}`, adviceFor(code, w));
      toCreate.unshift(basename(existing));
      existing = parent;
    }
  }
  const pseudo = pseudoFilesystem(existing);
  if (pseudo) w.fail(`it lies on ${pseudo}, a kernel pseudo-filesystem, not storage`, 'choose a directory on a disk');
  let at = existing;
  for (const name of toCreate) {
    at = join(at, name);
    try {
      mkdirSync(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another process may create the same folder at the same moment.
      if (code === 'EEXIST' && statSync(at).isDirectory()) continue;
      w.fail(`cannot create ${at}: ${describeFsError(e)}`, adviceFor(code, w));
    }
  }
  return { path: abs, existed: toCreate.length === 0 };
}

/**
 * Check an output directory before any training, so an unusable one fails in the first second
 * and not after the run: create it (see ensureDir), refuse one that already holds files unless
 * `overwrite`, and write, fsync and remove a probe file to prove it is writable (read-only,
 * permissions, a full disk). Returns the absolute path.
 */
export function prepareOutputDir(dir: string, opts: OutputDirOptions = {}): string {
  const w: Where = where(dir, opts.flag);
  const { path, existed } = ensureDir(dir, opts);
  if (existed && !opts.overwrite) {
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch (e) {
      w.fail(`cannot list it: ${describeFsError(e)}`, adviceFor((e as NodeJS.ErrnoException).code, w));
    }
    if (entries.length) {
      const run = entries.includes('run.json') ? 'a saved run: ' : '';
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
      const how = opts.flag ? 'pass --overwrite' : 'pass overwrite: true';
      w.fail(`it is not empty (${run}${shown})`, `${how} to replace its files, or choose an empty or new directory`);
    }
  }
  const probe = join(path, `.stalelab-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'wx');
    writeSync(fd, Buffer.alloc(PROBE_BYTES));
    fsyncSync(fd);
  } catch (e) {
    w.fail(`cannot write in it: ${describeFsError(e)}`, adviceFor((e as NodeJS.ErrnoException).code, w));
  } finally {
    if (fd !== undefined) closeSync(fd);
    try {
      rmSync(probe, { force: true });
    } catch {
      // Where the probe could not be made there is nothing to remove.
    }
  }
  return path;
}
