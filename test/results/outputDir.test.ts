import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/validate.ts';
import { FileError } from '../../src/results/fileError.ts';
import { ensureDir, prepareOutputDir } from '../../src/results/outputDir.ts';
import { mountTmpfs } from './scratchMounts.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-outdir-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A FileError (so a ConfigError: one line, exit 2) whose message starts with `start` and matches `pattern`. */
const refused = (start: string, pattern: RegExp) => (e: Error) => e instanceof FileError && e instanceof ConfigError && e.message.startsWith(start) && pattern.test(e.message);

describe('prepareOutputDir', () => {
  test('creates a nested directory and leaves it empty (the probe file is removed)', () => {
    const dir = join(root, 'a', 'b', 'c');
    assert.equal(prepareOutputDir(dir), resolve(dir));
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(prepareOutputDir(dir), resolve(dir), 'an existing empty directory is fine');
  });

  test('a directory that holds a saved run or any file is refused unless overwrite', () => {
    const run = join(root, 'saved');
    mkdirSync(run);
    writeFileSync(join(run, 'run.json'), '{}');
    writeFileSync(join(run, 'updates.csv'), 'a\n');
    assert.throws(() => prepareOutputDir(run, { flag: '--out' }), refused(`--out "${run}": it is not empty (a saved run: `, /pass --overwrite to replace its files, or choose an empty or new directory$/));
    assert.equal(prepareOutputDir(run, { overwrite: true }), resolve(run));
    assert.deepEqual(readdirSync(run).sort(), ['run.json', 'updates.csv'], 'overwrite leaves the old files until the run replaces them');
    const notes = join(root, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'x');
    assert.throws(() => prepareOutputDir(notes), refused(`output directory "${notes}": it is not empty (todo.txt)`, /pass overwrite: true/));
  });

  test('an empty name, an over-long name, and a file in the path are refused before anything is created', () => {
    assert.throws(() => prepareOutputDir('', { flag: '--out' }), refused('--out "": an empty path', /give a directory name/));
    const long = join(root, 'x'.repeat(300), 'run');
    assert.throws(() => prepareOutputDir(long), refused(`output directory "${long}": the name "xxxxxxxxxxxxxxxxxxxxxxxx…" is 300 bytes long, more than the 255`, /give a shorter name/));
    assert.equal(existsSync(join(root, 'x'.repeat(10))), false);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    assert.throws(() => prepareOutputDir(join(file, 'run'), { flag: '--out' }), refused(`--out "${join(file, 'run')}": ${file} is a file, so nothing can be created below it`, /move the file or choose another --out/));
    assert.throws(() => prepareOutputDir(file), refused(`output directory "${file}": it is a file, not a directory`, /./));
  });

  // Node's own mkdirSync(…, { recursive: true }) never returns under /proc; a guard that failed would hang here.
  test('pseudo-filesystems (/proc, /sys) are refused at once, without a mkdir', { timeout: 20_000 }, () => {
    assert.throws(() => prepareOutputDir('/proc/stalelab-test/run'), refused('output directory "/proc/stalelab-test/run": it lies on ', /(proc|\/proc), a kernel pseudo-filesystem, not storage; choose a directory on a disk$/));
    assert.throws(() => ensureDir('/sys/stalelab-test'), refused('output directory "/sys/stalelab-test": it lies on ', /pseudo-filesystem/));
    assert.equal(existsSync('/proc/stalelab-test'), false);
  });

  test('a read-only filesystem (EROFS) and a full one (ENOSPC) are refused with the cause and what to do', (t) => {
    const m = mountTmpfs('64k');
    if ('skip' in m) return t.skip(m.skip);
    try {
      writeFileSync(join(m.dir, 'filler'), Buffer.alloc(64 * 1024));
      assert.throws(() => prepareOutputDir(m.dir, { flag: '--out', overwrite: true }), refused(`--out "${m.dir}": cannot write in it: no space left on device (ENOSPC); free some space or choose another --out`, /./));
      rmSync(join(m.dir, 'filler'));
      m.readOnly();
      assert.throws(() => prepareOutputDir(m.dir, { flag: '--out' }), refused(`--out "${m.dir}": cannot write in it: read-only file system (EROFS); it is on a read-only filesystem`, /./));
      const below = join(m.dir, 'run');
      assert.throws(() => prepareOutputDir(below, { flag: '--out' }), refused(`--out "${below}": cannot create ${below}: read-only file system (EROFS)`, /./));
      assert.deepEqual(readdirSync(m.dir), []);
    } finally {
      m.unmount();
    }
  });

  test('a directory the user may not write (EACCES) is refused naming it', (t) => {
    const locked = join(root, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    chmodSync(root, 0o755);
    const target = join(locked, 'run');
    const expected = `output directory "${target}": cannot create ${target}: permission denied (EACCES); check its permissions or choose another output directory`;
    if (process.getuid?.() !== 0) {
      chmodSync(locked, 0o555);
      assert.throws(() => prepareOutputDir(target), refused(expected, /./));
      return;
    }
    // Root ignores permission bits: ask a real unprivileged process (nobody) to do it.
    const script = `import(${JSON.stringify(new URL('../../src/results/outputDir.ts', import.meta.url).href)}).then((m) => { try { m.prepareOutputDir(${JSON.stringify(target)}); console.log('created'); } catch (e) { console.log(e.name + ': ' + e.message); } })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { uid: 65534, gid: 65534, cwd: process.cwd(), encoding: 'utf8' });
    if (r.error || (r.status !== 0 && /EACCES|EPERM/.test(String(r.error ?? r.stderr)) && !r.stdout)) return t.skip(`cannot run a process as nobody here: ${r.error?.message ?? r.stderr}`);
    assert.equal(r.stdout.trim(), `FileError: ${expected}`, r.stderr);
    assert.equal(existsSync(target), false);
  });
});
