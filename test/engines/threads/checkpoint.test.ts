/**
 * Checkpoint and resume under real worker threads. One thread under the lock follows one path
 * (each update is determined by the one before), so its resumed run equals the uninterrupted one:
 * the updates table without its wall-clock column, and θ. With two threads the interleaving is the
 * OS's, so a resumed run is not the uninterrupted one; it continues from the checkpoint's state
 * and applies exactly the budget that was left.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ColumnTable } from 'arquero';
import { liveThreadWorkers } from '../../../src/engines/threads/workerGang.ts';
import { CHECKPOINT_FILE, readCheckpoint } from '../../../src/run/checkpoint.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import type { RunResult } from '../../../src/run/runRecord.ts';
import { tempDirs } from '../../tempDirs.ts';

const fresh = tempDirs('stalelab-threads-checkpoint-');

const STEPS = 2000;
const EVERY = 400;
const ABORT_AT = 900;
const withoutWallTime = (t: ColumnTable) => t.select(t.columnNames().filter((c) => c !== 'wall_time')).toCSV();

/**
 * Run `config` with a checkpoint every EVERY updates, keeping a copy of the first periodic one,
 * and stop it by its AbortSignal past update ABORT_AT (which checkpoints where it stopped).
 */
async function interrupted(config: Record<string, unknown>): Promise<{ stopped: string; periodic: string; run: RunResult }> {
  const stopped = fresh();
  const periodic = fresh();
  const controller = new AbortController();
  const run = await runExperiment({ ...config, checkpointEvery: EVERY }, {
    signal: controller.signal,
    progressIntervalSec: 0,
    onProgress: (p) => {
      if (!existsSync(join(periodic, CHECKPOINT_FILE)) && existsSync(join(stopped, CHECKPOINT_FILE))) copyFileSync(join(stopped, CHECKPOINT_FILE), join(periodic, CHECKPOINT_FILE));
      if (p.step >= ABORT_AT) controller.abort();
    },
  }, { checkpointDir: stopped });
  assert.equal(run.record.status, 'interrupted');
  return { stopped, periodic, run };
}

async function resume(dir: string): Promise<RunResult> {
  const checkpoint = readCheckpoint(dir);
  return runExperiment(checkpoint.config, undefined, { checkpointDir: dir, resume: checkpoint });
}

test('one thread under the lock: a resumed run has the uninterrupted run\'s updates (but wall_time) and θ', async () => {
  const config = { engine: 'threads', objective: 'quadratic', rule: 'dana-zero', lr: 0.05, steps: STEPS, workers: 1, sync: 'lock', evalEvery: 500, seed: 3 };
  const a = await runExperiment(config);
  assert.equal(a.record.status, 'finished', a.record.message);
  const { stopped, periodic, run } = await interrupted(config);
  const periodicStep = readCheckpoint(periodic).step;
  assert.ok(periodicStep > 0 && periodicStep % EVERY === 0 && periodicStep < STEPS, `periodic checkpoint at ${periodicStep}`);
  assert.equal(readCheckpoint(stopped).step, run.record.summary.updates, 'an interrupt checkpoints where the run stopped');
  for (const dir of [stopped, periodic]) {
    const from = readCheckpoint(dir).step;
    const r = await resume(dir);
    assert.equal(r.record.status, 'finished', r.record.message);
    assert.equal(r.record.summary.resumed_from_step, from);
    assert.equal(withoutWallTime(r.updates), withoutWallTime(a.updates));
    assert.deepEqual(r.theta, a.theta);
    assert.equal(r.record.summary.final_test_loss, a.record.summary.final_test_loss);
    assert.equal(r.record.summary.submitted, STEPS, 'counts before the checkpoint are carried over');
  }
  assert.equal(liveThreadWorkers(), 0);
});

for (const sync of ['hogwild', 'leashed'] as const) {
  test(`two threads (${sync}): a resumed run keeps the rows before its checkpoint and applies exactly the budget left`, async () => {
    const config = { engine: 'threads', objective: 'quadratic', rule: 'ga-momentum', lr: 0.05, steps: STEPS, workers: 2, sync, seed: 1 };
    const { stopped, run } = await interrupted(config);
    const from = readCheckpoint(stopped).step;
    const r = await resume(stopped);
    assert.equal(r.record.status, 'finished', r.record.message);
    assert.equal(r.record.summary.resumed_from_step, from);
    assert.equal(r.record.summary.applied, STEPS);
    assert.deepEqual(Array.from(r.updates.array('step') as ArrayLike<number>), Array.from({ length: STEPS }, (_, k) => k + 1), 'every version once');
    const head = (t: ColumnTable) => withoutWallTime(t.filter(`d => d.step <= ${from}`));
    assert.equal(head(r.updates), head(run.updates), 'the rows up to the checkpoint are the interrupted run\'s');
    assert.equal(liveThreadWorkers(), 0);
  });
}
