import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config/validate.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import { liveThreadWorkers } from '../../../src/engines/threads/workerGang.ts';
import { THREAD_BASE_BYTES, threadMemoryProblem } from '../../../src/engines/threads/threadsConfig.ts';

// lr 3 on h ∈ [0.1, 1] multiplies the error on the stiffest coordinates by 2 per update: the loss grows ×4 per update and stays finite for hundreds of updates.
const exploding = { objective: { name: 'quadratic', dim: 8 }, lr: 3, steps: 40, workers: 1 } as const;

test('threads diverge by the loss bound as the simulator does: auto, a number, off (one thread: the same updates)', async () => {
  for (const divergeLoss of ['auto', 50.3, 'off'] as const) {
    const sim = await runExperiment({ ...exploding, engine: 'sim', divergeLoss });
    const thr = await runExperiment({ ...exploding, engine: 'threads', sync: 'lock', divergeLoss });
    assert.equal(thr.record.status, sim.record.status, `${divergeLoss}: ${thr.record.message}`);
    const losses = thr.updates.array('loss') as number[];
    assert.ok(losses.every(Number.isFinite), 'no NaN or infinite row: the bound stopped the run, not an overflow');
    if (divergeLoss === 'off') {
      assert.equal(thr.record.status, 'finished');
      assert.equal(thr.record.summary.diverge_bound, null);
      assert.equal(thr.updates.numRows(), exploding.steps);
      const firstLoss = losses[0];
      assert.ok(Math.max(...losses) > 1000 * Math.max(1, firstLoss), 'off lets the loss pass where auto would have stopped');
      continue;
    }
    assert.equal(thr.record.status, 'diverged');
    assert.equal(thr.record.divergedAtStep, sim.record.divergedAtStep, `${divergeLoss}: the same update crosses the bound`);
    const simBound = sim.record.summary.diverge_bound as number;
    // 'auto' is shared between threads as float32; a number is used as given.
    assert.equal(thr.record.summary.diverge_bound, divergeLoss === 'auto' ? Math.fround(simBound) : divergeLoss);
    if (divergeLoss === 'auto') assert.equal(simBound, 1000 * Math.max(1, (sim.updates.array('loss') as number[])[0]));
    assert.ok(losses.every((l) => l <= (thr.record.summary.diverge_bound as number)), 'the update over the bound is not applied');
    assert.ok(thr.updates.numRows() < exploding.steps && thr.updates.numRows() === (thr.record.divergedAtStep as number) - 1);
  }
  assert.equal(liveThreadWorkers(), 0);
});

test('a failing objective in a thread the run does not have is refused, naming the field and the threads there are', async () => {
  const cfg = { engine: 'threads', objective: { name: 'failing', dim: 3, worker: 4, afterGradients: 2 }, lr: 0.1, steps: 10, workers: 4 };
  await assert.rejects(runExperiment(cfg), (e: Error) => e instanceof ConfigError && /config\.objective\.worker: thread 4 does not exist: the run has workers = 4 threads \(0…3\)/.test(e.message));
  // A budget no thread reaches: the run ends on thread 3's error however late that thread starts.
  const fails = await runExperiment({ ...cfg, steps: 10_000_000, objective: { ...cfg.objective, worker: 3 } });
  assert.equal(fails.record.status, 'failed');
  assert.match(fails.record.message!, /^thread 3: failing objective/);
  assert.equal(liveThreadWorkers(), 0);
});

test('thread counts whose copies of the problem do not fit in memory are refused with the sizes and the most that fit', () => {
  const mnist = 264 * 2 ** 20;
  const GB = 2 ** 30;
  assert.equal(threadMemoryProblem(8, mnist, 20 * GB), null, 'eight MNIST threads fit in 20 GB');
  assert.equal(threadMemoryProblem(127, 0, 20 * GB), null, 'oversubscription alone is allowed: 127 threads of a built-in objective fit');
  const most = Math.floor((20 * GB) / (THREAD_BASE_BYTES + mnist));
  const refusal = threadMemoryProblem(127, mnist, 20 * GB);
  assert.ok(refusal?.startsWith('config.workers: 127 worker threads need about '), refusal ?? 'refused');
  assert.match(refusal!, new RegExp(`more than the 20\\.0 GB of memory available; use at most ${most} threads here`));
  assert.ok(threadMemoryProblem(most, mnist, 20 * GB) === null && threadMemoryProblem(most + 1, mnist, 20 * GB) !== null, 'the count it names is the largest that fits');
  assert.match(threadMemoryProblem(1, 30 * GB, 20 * GB)!, /this problem does not fit in one thread here/);
});

test('the parameter server refuses a failing objective in a worker process the run lacks, as the threads engine does', async () => {
  const { parseRunConfig } = await import('../../../src/run/parseRunConfig.ts');
  const cfg = { objective: { name: 'failing', dim: 3, worker: 2, afterGradients: 2 }, lr: 0.1, steps: 10, workers: 2 };
  await assert.rejects(parseRunConfig({ ...cfg, engine: 'ps' }), (e: Error) => e instanceof ConfigError && /config\.objective\.worker: worker 2 does not exist \(workers: 2, ids 0\.\.1\)/.test(e.message));
  await assert.rejects(parseRunConfig({ ...cfg, engine: 'threads' }), (e: Error) => e instanceof ConfigError && /config\.objective\.worker: thread 2 does not exist/.test(e.message));
  await parseRunConfig({ ...cfg, engine: 'ps', objective: { ...cfg.objective, worker: 1 } });
});
