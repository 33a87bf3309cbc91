import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { cli, sink } from './runCli.ts';
import { loadRun, RUN_EXPORT_FILES, RUN_FILES } from '../../src/results/runDir.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-errors-'));
after(() => rmSync(root, { recursive: true, force: true }));

const quick = ['--objective', 'quadratic', '--steps', '5', '--lr', '0.1', '--no-progress'];
const lines = (s: string) => s.trimEnd().split('\n');

test('an unusable --out is one line and exit 2, before any training', async () => {
  const r = await cli('run', ...quick, '--out', '/proc/stalelab-out');
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.err), ['stalelab: --out "/proc/stalelab-out": it lies on /proc, a kernel pseudo-filesystem, not storage; choose a directory on a disk']);
  assert.equal(r.out, '', 'no run summary: nothing ran');
});

test('--out holding a saved run is refused unless --overwrite, which replaces it', async () => {
  const out = join(root, 'saved');
  assert.equal((await cli('run', ...quick, '--seed', '1', '--out', out)).code, 0);
  const again = await cli('run', ...quick, '--seed', '2', '--out', out);
  assert.equal(again.code, 2);
  assert.equal(lines(again.err).length, 1);
  assert.match(again.err, /^stalelab: --out ".*saved": it is not empty \(a saved run: .*run\.json.*\); pass --overwrite to replace its files/);
  assert.equal(loadRun(out).record.seed, 1, 'the saved run is untouched');
  const over = await cli('run', ...quick, '--seed', '2', '--out', out, '--overwrite');
  assert.equal(over.code, 0, over.err);
  assert.equal(loadRun(out).record.seed, 2);
  assert.deepEqual(readdirSync(out).sort(), [...Object.values(RUN_FILES), ...RUN_EXPORT_FILES].sort());
});

test('a data error is one line naming the folder (exit 2); --debug adds the stack', async () => {
  const dir = join(root, 'no-cifar');
  const args = ['run', '--model', 'mlp', '--dataset', JSON.stringify({ name: 'cifar10', dir }), '--steps', '2', '--lr', '0.1', '--no-progress', '--out', join(root, 'cifar-out')];
  const r = await cli(...args);
  assert.equal(r.code, 2);
  assert.equal(lines(r.err).length, 1, r.err);
  assert.ok(r.err.startsWith(`stalelab: ${dir}: CIFAR-10 not found: the folder ${dir} does not exist.`), r.err);
  const debug = await cli(...args, '--debug');
  assert.equal(debug.code, 2);
  assert.ok(debug.err.startsWith(r.err), 'the same line first');
  assert.match(debug.err, /\n(DataError|ConfigError)[^\n]*\n\s+at /, 'then the stack');
});

test('an error that is not bad input keeps its stack and exits 1', async () => {
  let err = '';
  const out = join(root, 'broken-stdout');
  const broken = Object.assign(new Writable({ write: (_c, _e, done) => done() }), { write: () => { throw new TypeError('stdout went away'); } }) as unknown as NodeJS.WriteStream;
  const code = await main(['node', 'stalelab', 'run', ...quick, '--out', out], { out: broken, err: sink((s) => (err += s)) });
  assert.equal(code, 1);
  assert.match(err, /^stalelab: TypeError: stdout went away\n\s+at /);
  assert.equal(existsSync(join(out, 'run.json')), true, 'the run was saved before the summary failed');
});
