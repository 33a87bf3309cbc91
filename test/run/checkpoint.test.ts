/**
 * Checkpoint and resume in the simulator: a run stopped after a checkpoint (by its AbortSignal, or
 * by SIGKILL of a real `stalelab run` process) and resumed writes the same updates.csv, evals.csv
 * and theta.bin, byte for byte, as the same run uninterrupted; the checkpoint's own errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../src/config/validate.ts';
import { cli } from '../cli/runCli.ts';
import { FileError } from '../../src/results/fileError.ts';
import { loadRun, RUN_FILES, saveRun, THETA_FILE } from '../../src/results/runDir.ts';
import { registerTransform } from '../../src/rules/registry.ts';
import { CHECKPOINT_FILE, readCheckpoint } from '../../src/run/checkpoint.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { RunResult } from '../../src/run/runRecord.ts';
import { tempDirs } from '../tempDirs.ts';

const fresh = tempDirs('stalelab-checkpoint-');
const bin = new URL('../../bin/stalelab.mjs', import.meta.url).pathname;

/** The files an uninterrupted run and a resumed one must share byte for byte (the sim has no wall-clock column). */
const SAME_FILES = [RUN_FILES.updates, RUN_FILES.evals, THETA_FILE];
/** Summary figures that may differ: wall time, the resume itself, and gradient work (in-flight gradients computed ahead are computed again). */
const FREE_SUMMARY = new Set(['updates_per_sec', 'resumed_from_step', 'gradient_passes', 'gradients_computed', 'compute_threads', 'gradient_group_used']);

function assertSameRun(dirA: string, a: RunResult, dirB: string, b: RunResult): void {
  for (const f of SAME_FILES) assert.ok(readFileSync(join(dirA, f)).equals(readFileSync(join(dirB, f))), `${f} differs from the uninterrupted run's`);
  const keep = (r: RunResult) => JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(r.record.summary).filter(([k]) => !FREE_SUMMARY.has(k)))));
  assert.deepEqual(keep(b), keep(a));
  assert.equal(b.record.status, a.record.status);
}

async function resume(dir: string): Promise<RunResult> {
  const checkpoint = readCheckpoint(dir);
  const r = await runExperiment(checkpoint.config, undefined, { checkpointDir: dir, resume: checkpoint });
  saveRun(dir, r);
  return r;
}

/**
 * Run `config` uninterrupted; run it again with checkpoints every `every` updates, keeping a copy
 * of the first periodic checkpoint and aborting it at update `abortAt` (which saves one there);
 * resume both checkpoints and compare each with the uninterrupted run.
 */
async function checkResume(config: Record<string, unknown>, every: number, abortAt: number): Promise<void> {
  const plain = fresh();
  const a = await runExperiment(config);
  assert.equal(a.record.status, 'finished', a.record.message);
  saveRun(plain, a);

  const stopped = fresh();
  const periodic = fresh();
  const controller = new AbortController();
  const b = await runExperiment({ ...config, checkpointEvery: every }, {
    signal: controller.signal,
    progressIntervalSec: 0,
    onProgress: (p) => {
      // The checkpoint after update `every` is written after that update's send, before the next one.
      if (p.step === every + 1) copyFileSync(join(stopped, CHECKPOINT_FILE), join(periodic, CHECKPOINT_FILE));
      if (p.step >= abortAt) controller.abort();
    },
  }, { checkpointDir: stopped });
  assert.equal(b.record.status, 'interrupted');
  assert.deepEqual(readdirSync(stopped), [CHECKPOINT_FILE], 'one checkpoint file, no temp files left');
  assert.equal(readCheckpoint(stopped).step, abortAt, 'an interrupt checkpoints where the run stopped');
  assert.equal(readCheckpoint(periodic).step, every);

  for (const [dir, from] of [[stopped, abortAt], [periodic, every]] as const) {
    const r = await resume(dir);
    assert.equal(r.record.summary.resumed_from_step, from);
    assertSameRun(plain, a, dir, r);
    if (a.trajectory) assert.deepEqual(r.trajectory, a.trajectory, 'θ after every update');
  }
}

describe('a resumed simulator run equals the uninterrupted run', () => {
  test('dana-zero (per-worker momentum, look-ahead sends), quadratic, gamma timing, logEvery 3, with its trajectory', async () => {
    await checkResume({ objective: 'quadratic', rule: 'dana-zero', lr: 0.05, steps: 150, workers: 4, evalEvery: 25, logEvery: 3, seed: 3, returnTrajectory: true }, 40, 57);
  });

  test('ga-momentum (Gap-Aware statistic) on an MLP on MNIST, uniform heterogeneous workers', async () => {
    await checkResume({
      model: { name: 'mlp', widths: [32] }, dataset: { name: 'mnist', trainSize: 1000, testSize: 200 }, rule: 'ga-momentum', lr: 0.05,
      workers: 4, steps: 200, batchSize: 16, evalEvery: 50, evalSplits: ['train', 'test'], timing: { kind: 'gamma', heterogeneity: 'uniform' }, seed: 2,
    }, 60, 130);
  });

  test('gradients computed ahead on two compute threads: in-flight jobs at the checkpoint are computed again, from what they were sent', async () => {
    await checkResume({ objective: 'quadratic', rule: 'dana-zero', lr: 0.05, steps: 100, workers: 4, evalEvery: 25, seed: 6, computeThreads: 2 }, 30, 51);
  });

  test('SSGD barrier rounds (momentum), quadratic, round-robin timing', async () => {
    await checkResume({ objective: 'quadratic', rule: 'ssgd', lr: 0.05, steps: 60, workers: 3, evalEvery: 10, seed: 5 }, 20, 33);
  });

  test("a user transform's plain state fields are saved and restored", async () => {
    registerTransform({
      name: 'checkpoint-test-damping',
      // A counter in a plain field: restarting it at 0 would change every later update.
      init: () => ({ seen: 0 }),
      apply(s: { seen: number }, g: Float32Array) {
        s.seen++;
        for (let j = 0; j < g.length; j++) g[j] /= 1 + 0.05 * s.seen;
      },
    });
    await checkResume({ objective: 'quadratic', rule: { base: 'sgd', transforms: ['checkpoint-test-damping'] }, lr: 0.2, steps: 80, workers: 3, seed: 1 }, 30, 45);
  });
});

describe('checkpoint errors name the field or the path', () => {
  test('a user transform whose state a checkpoint cannot copy is refused when the checkpoint is due', async () => {
    registerTransform({ name: 'checkpoint-test-map', init: () => ({ seen: new Map<number, number>() }), apply() {} });
    await assert.rejects(
      runExperiment({ objective: 'quadratic', rule: { base: 'sgd', transforms: ['checkpoint-test-map'] }, lr: 0.05, steps: 20, checkpointEvery: 5 }, undefined, { checkpointDir: fresh() }),
      (e: Error) => e instanceof ConfigError && /^checkpointEvery: rule .*transform 0 "checkpoint-test-map" keeps state\.seen \(Map\)/.test(e.message),
    );
  });

  test('checkpointEvery needs a directory; the ps engine cannot checkpoint', async () => {
    await assert.rejects(runExperiment({ objective: 'quadratic', lr: 0.05, steps: 20, checkpointEvery: 5 }), (e: Error) => e instanceof ConfigError && /^config\.checkpointEvery: needs a directory/.test(e.message));
    await assert.rejects(runExperiment({ engine: 'ps', objective: 'quadratic', lr: 0.05, steps: 20, checkpointEvery: 5 }), (e: Error) => e instanceof ConfigError && /config\.checkpointEvery: only for engine "sim"/.test(e.message));
  });

  test('resuming with a config that changes the run is refused naming the field; checkpointEvery may change', async () => {
    const dir = fresh();
    const controller = new AbortController();
    const config = { objective: 'quadratic', lr: 0.05, steps: 40, workers: 2, checkpointEvery: 10 };
    await runExperiment(config, { signal: controller.signal, progressIntervalSec: 0, onProgress: (p) => p.step >= 15 && controller.abort() }, { checkpointDir: dir });
    const checkpoint = readCheckpoint(dir);
    await assert.rejects(
      runExperiment({ ...config, lr: 0.1 }, undefined, { checkpointDir: dir, resume: checkpoint }),
      (e: Error) => e instanceof ConfigError && /^--resume: config\.lr is 0\.1 here but 0\.05 in the checkpoint/.test(e.message),
    );
    const r = await runExperiment({ ...config, checkpointEvery: 7 }, undefined, { checkpointDir: dir, resume: checkpoint });
    assert.equal(r.record.status, 'finished');
    assert.equal(r.updates.numRows(), 40);
  });

  test('a directory without a checkpoint, or with a damaged one, is a FileError naming the file', () => {
    const dir = fresh();
    assert.throws(() => readCheckpoint(dir), (e: Error) => e instanceof FileError && e.message.includes(`${join(dir, CHECKPOINT_FILE)} is missing`));
    writeFileSync(join(dir, CHECKPOINT_FILE), 'not a checkpoint');
    assert.throws(() => readCheckpoint(dir), (e: Error) => e instanceof FileError && e.message.includes(join(dir, CHECKPOINT_FILE)));
  });
});

test('stalelab run killed with SIGKILL after a checkpoint, then --resume DIR: the same files as an uninterrupted run', async () => {
  const out = join(fresh(), 'killed');
  const flags = ['--objective', '{"name":"quadratic","dim":20000}', '--rule', 'dana-zero', '--workers', '4', '--lr', '0.05', '--steps', '3000', '--eval-every', '500', '--seed', '4'];
  const child = spawn(process.execPath, [bin, 'run', ...flags, '--checkpoint-every', '300', '--out', out, '--no-progress'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  while (!existsSync(join(out, CHECKPOINT_FILE)) && child.exitCode === null) await sleep(5);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the run was killed before it finished (it ran past its checkpoint too fast to kill)');
  const step = readCheckpoint(out).step;
  assert.ok(step % 300 === 0 && step < 3000, `checkpoint at ${step}`);
  assert.ok(!existsSync(join(out, RUN_FILES.record)), 'a killed run saved nothing but its checkpoint');

  const changed = await cli('run', '--resume', out, '--lr', '0.1', '--no-progress');
  assert.equal(changed.code, 2);
  assert.match(changed.err, /^stalelab: --resume: config\.lr is 0\.1 here but 0\.05 in the checkpoint/);

  // The resume runs in this process (the kill above needed a real one).
  const resumed = await cli('run', '--resume', out, '--no-progress');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.out, new RegExp(`resumed from the checkpoint at update ${step}`));
  assert.ok(!existsSync(join(out, CHECKPOINT_FILE)), 'a finished run removes its checkpoint');

  const plain = fresh();
  const a = await runExperiment({ objective: { name: 'quadratic', dim: 20000 }, rule: 'dana-zero', workers: 4, lr: 0.05, steps: 3000, evalEvery: 500, seed: 4 });
  saveRun(plain, a);
  assertSameRun(plain, a, out, loadRun(out));
  assert.deepEqual(loadRun(out).theta, a.theta, 'loadRun returns the saved θ');

  const again = await cli('run', '--resume', out, '--no-progress');
  assert.equal(again.code, 2);
  assert.match(again.err, new RegExp(`^stalelab: --resume ".*killed": no checkpoint there \\(${join(out, CHECKPOINT_FILE)} is missing\\)`));
});
