/**
 * run.json says where a run came from, in every engine: stalelab's version, the git commit and
 * whether the checkout had uncommitted changes, the command line (the CLI's argv, or 'library'),
 * the working directory, the CPU model, cores and memory. Runs go through the real CLI process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ENGINE_NAMES } from '../../src/run/engines.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { RunRecord } from '../../src/run/runRecord.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'stalelab.mjs');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();

/** What every record must say about its origin, whatever the engine. */
function assertProvenance(record: RunRecord, command: string[] | 'library'): void {
  assert.equal(record.versions.stalelab, VERSION);
  assert.equal(record.versions.node, process.versions.node);
  // The commit the code ran from, and whether tracked files differed from it at that moment.
  assert.equal(record.versions.git_commit, git('rev-parse', 'HEAD'));
  assert.match(record.versions.git_dirty, /^(true|false)$/);
  if (git('status', '--porcelain', '--untracked-files=no') !== '') assert.equal(record.versions.git_dirty, 'true');
  assert.deepEqual(record.command, command);
  assert.equal(record.cwd, ROOT);
  assert.equal(record.machine.cpu, os.cpus()[0].model.trim());
  assert.equal(record.machine.cores, os.availableParallelism());
  assert.ok(Math.abs(record.machine.memoryGiB - os.totalmem() / 2 ** 30) < 0.1);
}

const quadratic = ['--objective', '{"name":"quadratic","dim":10}', '--steps', '30', '--lr', '0.05', '--no-progress'];
const engineFlags: Record<(typeof ENGINE_NAMES)[number], string[]> = {
  sim: ['--workers', '2'],
  threads: ['--engine', 'threads', '--threads', '2'],
  ps: ['--engine', 'ps', '--workers', '1'],
};

test('every engine: run.json records version, commit and dirty flag, the CLI argv, CPU and memory', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'stalelab-provenance-'));
  try {
    assert.deepEqual(Object.keys(engineFlags).sort(), [...ENGINE_NAMES].sort(), 'a flag set per registered engine');
    for (const engine of ENGINE_NAMES) {
      const out = join(dir, engine);
      const args = ['run', ...engineFlags[engine], ...quadratic, '--out', out];
      const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, STALELAB_PS_TOKEN: 'provenance-test-token' } });
      assert.equal(run.status, 0, `${engine}: ${run.stdout}${run.stderr}`);
      const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
      assert.equal(record.engine, engine);
      assertProvenance(record, [process.execPath, BIN, ...args]);
    }
    // A saved run.json is a config: --config reruns it on its engine, with the same config.
    const again = join(dir, 'threads-again');
    const rerun = spawnSync(process.execPath, [BIN, 'run', '--config', join(dir, 'threads', 'run.json'), '--out', again, '--no-progress'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(rerun.status, 0, rerun.stdout + rerun.stderr);
    const first = JSON.parse(readFileSync(join(dir, 'threads', 'run.json'), 'utf8')) as RunRecord;
    const second = JSON.parse(readFileSync(join(again, 'run.json'), 'utf8')) as RunRecord;
    assert.deepEqual(second.config, first.config);
    assert.equal(second.engine, 'threads');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a library run records command 'library'; stalelab --version prints package.json's version", async () => {
  const r = await runExperiment({ objective: { name: 'quadratic', dim: 5 }, lr: 0.05, steps: 5 });
  assertProvenance(r.record, 'library');
  const v = spawnSync(process.execPath, [BIN, '--version'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(v.status, 0);
  assert.equal(v.stdout.trim(), VERSION);
});

test('the recorded command line keeps no secret: a token flag or a password in a queue URL', async () => {
  const { redactSecrets } = await import('../../src/run/provenance.ts');
  assert.deepEqual(
    redactSecrets(['node', 'stalelab', 'join', 'tcp://h:5555', '--token', 's3cret', '--token=s3cret', '--queue', 'redis://:pw@10.0.0.5:6379', 'redis://user:pw@h/0']),
    ['node', 'stalelab', 'join', 'tcp://h:5555', '--token', '<redacted>', '--token=<redacted>', '--queue', 'redis://:<redacted>@10.0.0.5:6379', 'redis://user:<redacted>@h/0'],
  );
  assert.deepEqual(redactSecrets(['--lr', '0.1', 'tcp://127.0.0.1:5555']), ['--lr', '0.1', 'tcp://127.0.0.1:5555'], 'nothing else changes');
});
