import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeComputeThreads } from '../../../src/engines/sim/computeThreads.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';

const model = { model: { name: 'mlp', widths: [16] }, dataset: { name: 'mnist', trainSize: 1000, testSize: 200 }, backend: 'wasm' } as const;
const tables = (r: Awaited<ReturnType<typeof runExperiment>>) => JSON.stringify([r.updates.objects(), r.evals.objects()]);

test('gradients on compute threads give the tables of computing each one when applied (async rules and SSGD)', async () => {
  for (const rule of ['ga-momentum', 'dana-zero', 'ssgd']) {
    const cfg = { ...model, rule, lr: 0.05, workers: 8, batchSize: 16, steps: 120, evalEvery: 40, seed: 3, timing: { kind: 'gamma', shape: 2 } };
    const inline = await runExperiment({ ...cfg, computeThreads: 1 });
    const pooled = await runExperiment({ ...cfg, computeThreads: 2 });
    assert.equal(pooled.record.summary.compute_threads, 2);
    assert.equal(inline.record.summary.compute_threads, 1);
    assert.equal(tables(pooled), tables(inline), `${rule}: identical tables`);
    assert.deepEqual(pooled.theta, inline.theta);
    // Jobs ranked past the budget when a thread is free are not computed; one computed ahead can
    // still fall past it when a job sent later is due sooner. Those are jobs still in flight when
    // the budget is spent, one per worker at most (SSGD: exactly every round's N). How many
    // depends on thread timing, so only the bound is asserted.
    const computed = pooled.record.summary.gradients_computed as number;
    if (rule === 'ssgd') assert.equal(computed, 120 * 8);
    else assert.ok(computed >= 120 && computed <= 120 + 8, `${rule}: ${computed} gradients computed for 120 updates with 8 workers`);
  }
});

test("computeThreads 'auto' starts threads only for a model problem long enough to pay for them; the choice is recorded", async () => {
  const short = await runExperiment({ ...model, lr: 0.05, workers: 4, steps: 20 });
  assert.equal(short.record.summary.compute_threads, 1, 'a few milliseconds of gradients');
  const o = await runExperiment({ objective: 'quadratic', lr: 0.05, workers: 4, steps: 20 });
  assert.equal(o.record.summary.compute_threads, 1);
  await assert.rejects(runExperiment({ ...model, lr: 0.05, workers: 4, steps: 20, computeThreads: 2, gradientBatching: 'in-flight' }), /config\.gradientBatching: 'in-flight' groups gradients in this thread/);
  await assert.rejects(runExperiment({ ...model, lr: 0.05, steps: 20, computeThreads: 0 }), /config\.computeThreads: /);
  await assert.rejects(runExperiment({ objective: 'quadratic', lr: 0.05, workers: 4, steps: 3, computeThreads: 42 }), /config\.computeThreads: at most one compute thread per worker: no more than 4 gradient\(s\) are ever in flight \(workers: 4\), got 42/);
});

test('an error in a helper thread, or in the run\'s own oracle computing beside them, ends the run failed with the rows so far', async () => {
  // Which thread computes which gradient depends on timing: each fails on its first, and the
  // budget is long enough (a few ms per thousand updates) that both take part under any load.
  const cfg = { lr: 0.1, workers: 4, steps: 20_000, computeThreads: 2, logEvery: 1 };
  const helper = await runExperiment({ ...cfg, objective: { name: 'failing', worker: 1, afterGradients: 0 } });
  assert.equal(helper.record.status, 'failed');
  assert.match(helper.record.message!, /compute thread 1: failing objective: throws on gradient 0/);
  assert.ok(helper.updates.numRows() < 20_000);
  const own = await runExperiment({ ...cfg, objective: { name: 'failing', worker: 0, afterGradients: 0 } });
  assert.equal(own.record.status, 'failed');
  assert.match(own.record.message!, /^failing objective: throws on gradient 0/);
  assert.ok(own.updates.numRows() < 20_000);
  await assert.rejects(
    runExperiment({ objective: { name: 'failing', worker: 2, afterGradients: 5 }, lr: 0.1, workers: 4, steps: 100, computeThreads: 2 }),
    /config\.objective\.worker: the failing objective's worker is a compute thread here \(0: the run's own, 1…K−1 its helpers\); computeThreads 2 has ids 0\.\.1, got 2/,
  );
});

test('a run leaves its compute threads idle for the next run of the same problem, not of another; idle ones never keep the process alive', async () => {
  await closeComputeThreads();
  const cfg = { ...model, rule: 'asgd', lr: 0.05, workers: 4, batchSize: 16, steps: 30, seed: 1, computeThreads: 2 };
  const first = await runExperiment(cfg);
  const second = await runExperiment({ ...cfg, seed: 2, batchSize: 8 });
  const third = await runExperiment({ ...cfg, computeThreads: 3 });
  // One idle thread after two runs on two threads: the second reused the first's; the third took it and started one more.
  assert.equal(await closeComputeThreads(), 2);
  assert.equal(await closeComputeThreads(), 0);
  for (const r of [first, second, third]) assert.equal(r.record.status, 'finished');
  // A reused thread computes a new run's minibatches: equal to a run on fresh threads.
  const again = await runExperiment({ ...cfg, seed: 2, batchSize: 8 });
  assert.equal(tables(again), tables(second));
  await runExperiment({ ...cfg, model: { name: 'mlp', widths: [8] } });
  assert.equal(await closeComputeThreads(), 1, 'the first problem\'s idle thread was ended when another problem started');
  // A process whose run left an idle thread ends by itself.
  const script = `import { runExperiment } from ${JSON.stringify(new URL('../../../src/run/runExperiment.ts', import.meta.url).href)};\nconst r = await runExperiment(${JSON.stringify(cfg)});\nconsole.log(r.record.status);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'finished');
});
