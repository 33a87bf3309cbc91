import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import { PS_UPDATE_COLUMNS } from '../../../src/engines/ps/psEngine.ts';
import type { RunResult } from '../../../src/run/runRecord.ts';
import { workerPids } from './psProcesses.ts';
import { writeTauPenaltyModule } from '../../rules/tauPenaltyModule.ts';

const col = (r: RunResult, c: string): number[] => r.updates.array(c) as number[];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** τ is the server's bookkeeping: version at apply − version at pull, and a worker's next pull is the version its push produced. */
function assertVersionBookkeeping(r: RunResult): void {
  const step = col(r, 'step');
  const tau = col(r, 'staleness');
  const pulled = col(r, 'pull_version');
  const worker = col(r, 'worker');
  const lastStepOf = new Map<number, number>();
  for (let k = 0; k < step.length; k++) {
    assert.equal(tau[k], step[k] - 1 - pulled[k], `row ${k}: τ = version at apply − version at pull`);
    const prev = lastStepOf.get(worker[k]);
    if (prev !== undefined) assert.equal(pulled[k], prev, `row ${k}: worker ${worker[k]} was sent the parameters right after its previous push was applied`);
    lastStepOf.set(worker[k], step[k]);
  }
}

test('4 worker processes train a logistic regression: every handed-out batch is applied exactly once, τ is the version bookkeeping', async () => {
  const steps = 240;
  const r = await runExperiment({
    engine: 'ps', workers: 4, model: 'logreg', dataset: { name: 'gaussian-mixture', trainSize: 400, testSize: 200, dim: 4, classes: 3 }, backend: 'cpu',
    rule: 'asgd', lr: 0.1, steps, batchSize: 16, evalEvery: 120, seed: 2,
  });
  assert.equal(r.record.status, 'finished', r.record.message);
  const s = r.record.summary;
  assert.equal(s.workers_joined, 4);
  assert.deepEqual([s.dropped_gradients, s.rejected_frames, s.unapplied_at_stop], [0, 0, 0]);
  assert.deepEqual(r.updates.columnNames().slice(-PS_UPDATE_COLUMNS.length - 1, -1), [...PS_UPDATE_COLUMNS]);
  assert.deepEqual(col(r, 'step'), range(steps).map((k) => k + 1), 'steps 1..N, each once');
  assert.deepEqual([...col(r, 'batch')].sort((a, b) => a - b), range(steps), 'batches 0..N−1, each applied once');
  assertVersionBookkeeping(r);
  assert.equal(new Set(col(r, 'worker')).size, 4, 'every worker contributed');
  // All four start together and each always holds one job until the budget drains: at the k-th apply min(N, steps − k + 1) − 1 others are out.
  const tauSum = 3 * (steps - 3) + (3 * 2) / 2;
  assert.equal(s.staleness_mean, tauSum / steps, 'Σ τ is fixed by the version bookkeeping');
  assert.ok((s.staleness_max as number) > 3, 'some gradients waited longer than a round');
  assert.ok(col(r, 'compute_sec').every((t) => t > 0) && col(r, 'comm_sec').every((t) => t > 0), 'compute and communication times are measured');
  const acc = (r.evals.objects() as { step: number; accuracy: number }[]).map((e) => e.accuracy);
  assert.equal(acc.length, 3, 'evaluated at 0, 120 and 240');
  assert.ok(acc[2] > acc[0] + 0.2, `the model learns: test accuracy ${acc[0]} → ${acc[2]}`);
  assert.deepEqual(workerPids(), [], 'every worker process has exited');
});

test('a SIGKILLed worker does not stop the run: its gradient in flight is dropped and counted, the budget is still applied', async () => {
  const steps = 400;
  let killed = -1;
  const r = await runExperiment(
    { engine: 'ps', workers: 4, objective: { name: 'quadratic', dim: 200, noise: 0.1 }, lr: 0.05, steps, batchSize: 8, delay: { kind: 'constant', ms: 3 } },
    {
      progressIntervalSec: 0,
      onProgress: (p) => {
        if (killed >= 0 || p.step < 60) return;
        killed = workerPids()[0];
        process.kill(killed, 'SIGKILL');
      },
    },
  );
  assert.ok(killed > 0, 'a worker was killed');
  assert.equal(r.record.status, 'finished', r.record.message);
  const s = r.record.summary;
  assert.deepEqual([s.workers_joined, s.workers_left, s.dropped_gradients], [4, 1, 1]);
  assert.equal(r.record.summary.updates, steps);
  assert.deepEqual(col(r, 'step'), range(steps).map((k) => k + 1));
  const batches = [...col(r, 'batch')].sort((a, b) => a - b);
  assert.equal(new Set(batches).size, steps, 'no batch applied twice');
  assert.equal(range(steps + 1).filter((k) => !batches.includes(k)).length, 1, 'exactly one handed-out batch (the killed worker\'s) was never applied');
  assertVersionBookkeeping(r);
  assert.equal(new Set(col(r, 'worker').slice(-100)).size, 3, 'three workers carry on');
  assert.deepEqual(workerPids(), []);
});

test('a worker whose gradient throws leaves (counted), the others finish the run', async () => {
  const r = await runExperiment({ engine: 'ps', workers: 3, objective: { name: 'failing', dim: 20, worker: 1, afterGradients: 3 }, lr: 0.01, steps: 60, batchSize: 4 });
  assert.equal(r.record.status, 'finished', r.record.message);
  const s = r.record.summary;
  assert.deepEqual([s.worker_errors, s.workers_left, s.dropped_gradients, s.updates], [1, 1, 1, 60]);
  assert.equal(col(r, 'worker').filter((w) => w === 1).length, 3, 'worker 1 applied its three gradients before it failed');
});

test('the signal stops the run: status interrupted, finished rows kept, every worker process gone', async () => {
  const ac = new AbortController();
  const r = await runExperiment(
    { engine: 'ps', workers: 2, objective: { name: 'quadratic', dim: 50 }, lr: 0.05, steps: 1_000_000, batchSize: 4, delay: { kind: 'constant', ms: 1 } },
    { signal: ac.signal, progressIntervalSec: 0, onProgress: (p) => p.step >= 50 && ac.abort() },
  );
  assert.equal(r.record.status, 'interrupted');
  const n = r.updates.numRows();
  assert.ok(n >= 50 && n < 1_000_000);
  assert.deepEqual(col(r, 'step'), range(n).map((k) => k + 1));
  assert.equal(r.record.summary.unapplied_at_stop, 2, 'both workers had parameters out when the run stopped');
  assert.deepEqual(workerPids(), []);
});

test('one worker (DANA-Zero) and SSGD rounds of 3: the ps engine walks the simulator\'s trajectory on the same batches', async () => {
  const objective = { name: 'quadratic', dim: 30, noise: 0.5 };
  for (const [rule, workers] of [['dana-zero', 1], ['ssgd', 3]] as const) {
    const config = { objective, rule, workers, lr: 0.05, steps: 40, batchSize: 4, seed: 5, returnTrajectory: true };
    const sim = await runExperiment(config);
    const ps = await runExperiment({ ...config, engine: 'ps' });
    assert.equal(ps.record.status, 'finished', ps.record.message);
    assert.equal(ps.trajectory!.length, 40);
    assert.deepEqual(ps.trajectory, sim.trajectory, `${rule} with ${workers} worker(s): θ after every update`);
    assert.deepEqual(col(ps, 'loss'), col(sim, 'loss'), `${rule}: the same minibatches`);
    assert.deepEqual(col(ps, 'samples'), col(sim, 'samples'));
  }
});

test('a rule part from a module path is loaded and applied in the server, with the server\'s τ', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-ps-rule-'));
  try {
    const path = writeTauPenaltyModule(dir, 'ps-tau-power');
    const r = await runExperiment({
      engine: 'ps', workers: 3, objective: { name: 'quadratic', dim: 20 }, lr: 0.05, steps: 90, batchSize: 4,
      rule: { base: 'sgd', transforms: [{ module: path, export: 'tauPenalty', power: 1 }] },
    });
    assert.equal(r.record.status, 'finished', r.record.message);
    assert.equal(r.record.summary.rule, 'sgd+ps-tau-power');
    assert.deepEqual(col(r, 'penalty_mean'), col(r, 'staleness').map((t) => 1 + t), 'the divisor is 1 + τ of every update');
    assert.ok(col(r, 'staleness').some((t) => t > 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
