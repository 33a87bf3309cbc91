import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/validate.ts';
import { tempPath, writeAtomic } from '../../src/results/atomicWrite.ts';
import { FileError } from '../../src/results/fileError.ts';
import { mountTmpfs } from './scratchMounts.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fileError = (message: string, code: string) => (e: Error) => e instanceof FileError && e instanceof ConfigError && e.message === message && e.code === code;

describe('writeAtomic', () => {
  test('writes the text, replaces an older file whole, and leaves no temp file', () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    const file = join(dir, 'updates.csv');
    writeAtomic(file, 'a,b\n1,2\n');
    writeAtomic(file, 'a,b\n3,4\n5,6\n', { syncDir: true });
    assert.equal(readFileSync(file, 'utf8'), 'a,b\n3,4\n5,6\n');
    writeAtomic(join(dir, 'bytes.bin'), new Uint8Array([0, 255, 7]));
    assert.deepEqual([...readFileSync(join(dir, 'bytes.bin'))], [0, 255, 7]);
    assert.deepEqual(readdirSync(dir).sort(), ['bytes.bin', 'updates.csv']);
  });

  test('a full disk (ENOSPC): the error names the file, the old file is intact, the temp file is gone', (t) => {
    const m = mountTmpfs('64k');
    if ('skip' in m) return t.skip(m.skip);
    try {
      const file = join(m.dir, 'updates.csv');
      writeAtomic(file, 'old\n');
      assert.throws(() => writeAtomic(file, 'x'.repeat(256 * 1024)), fileError(`cannot write ${file}: no space left on device (ENOSPC)`, 'ENOSPC'));
      assert.equal(readFileSync(file, 'utf8'), 'old\n');
      assert.deepEqual(readdirSync(m.dir), ['updates.csv']);
    } finally {
      m.unmount();
    }
  });

  test('a read-only filesystem (EROFS), a missing folder (ENOENT) and a folder at the path (EISDIR) name the file', (t) => {
    const dir = join(root, 'errors');
    mkdirSync(join(dir, 'run.json'), { recursive: true });
    const missing = join(dir, 'nowhere', 'evals.csv');
    assert.throws(() => writeAtomic(missing, 'x'), fileError(`cannot write ${missing}: no such file or directory (ENOENT)`, 'ENOENT'));
    const onDir = join(dir, 'run.json');
    assert.throws(() => writeAtomic(onDir, '{}'), (e: Error) => e instanceof FileError && e.message.startsWith(`cannot write ${onDir}: `) && /\(EISDIR\)$/.test(e.message));
    assert.deepEqual(readdirSync(dir), ['run.json'], 'the temp file was removed');
    const m = mountTmpfs('64k');
    if ('skip' in m) return t.skip(m.skip);
    try {
      writeFileSync(join(m.dir, 'keep.csv'), 'kept\n');
      m.readOnly();
      const file = join(m.dir, 'keep.csv');
      assert.throws(() => writeAtomic(file, 'new\n'), fileError(`cannot write ${file}: read-only file system (EROFS)`, 'EROFS'));
      assert.equal(readFileSync(file, 'utf8'), 'kept\n');
    } finally {
      m.unmount();
    }
  });

  test('the first write into a folder removes the temp files of writers killed mid-write on this machine, and only those', async () => {
    const dir = join(root, 'leftovers');
    mkdirSync(dir);
    const file = join(dir, 'updates.csv');
    // A real process starts a write (its temp file exists) and is killed, as a SIGKILL of a sweep does; another stays alive.
    const writer = () => {
      const code = `import { writeFileSync } from 'node:fs';\nimport { tempPath } from ${JSON.stringify(new URL('../../src/results/atomicWrite.ts', import.meta.url).href)};\nconst t = tempPath(${JSON.stringify(file)});\nwriteFileSync(t, 'part');\nconsole.log(t);\nsetInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      return new Promise<{ child: typeof child; tmp: string }>((resolve) => child.stdout.once('data', (d: Buffer) => resolve({ child, tmp: d.toString().trim() })));
    };
    const killed = await writer();
    const live = await writer();
    killed.child.kill('SIGKILL');
    await once(killed.child, 'exit');
    const young = tempPath(file).replace(/\.\d+-(\d+-[0-9a-f]{8}\.tmp)$/, `.${killed.child.pid}-$1`);
    writeFileSync(young, 'part');
    const elsewhere = join(dir, '.updates.csv.othermachine.12345-0-0123abcd.tmp');
    writeFileSync(elsewhere, 'part');
    const old = new Date(Date.now() - 5 * 60_000);
    for (const f of [killed.tmp, live.tmp, elsewhere]) utimesSync(f, old, old);
    try {
      writeAtomic(file, 'a\n');
      const left = readdirSync(dir).sort();
      assert.ok(!left.includes(basename(killed.tmp)), 'the killed writer\'s temp file was removed');
      assert.deepEqual(left, ['updates.csv', basename(live.tmp), basename(young), basename(elsewhere)].sort(), 'a live writer\'s, a minute-young and another machine\'s are kept');
    } finally {
      live.child.kill('SIGKILL');
    }
  });
});
