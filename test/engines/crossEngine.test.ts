import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runExperiment } from '../../src/run/runExperiment.ts';
import { ENGINE_NAMES } from '../../src/run/engines.ts';
import { RUN_SUMMARY_KEYS } from '../../src/run/runExperiment.ts';
import { UPDATE_COLUMNS } from '../../src/run/updateLog.ts';
import { EVAL_COLUMNS } from '../../src/run/evalLog.ts';
import { parseRunConfig } from '../../src/run/parseRunConfig.ts';

/** The same one-worker problem on every engine: θ after every update must agree exactly (same batches, same rule code). */
async function onEveryEngine(config: Record<string, unknown>) {
  const runs = [];
  for (const engine of ENGINE_NAMES) {
    const extra = engine === 'threads' ? { sync: 'lock' } : {};
    runs.push({ engine, run: await runExperiment({ ...config, ...extra, engine, workers: 1, returnTrajectory: true }) });
  }
  return runs;
}

test('ASGD with one worker: the simulator and the threads engine (lock) give the same θ after every update', async () => {
  const config = { objective: { name: 'quadratic', dim: 50, noise: 0.5 }, rule: 'asgd', lr: 0.05, steps: 80, batchSize: 4, seed: 7 };
  const [sim, ...others] = await onEveryEngine(config);
  assert.equal(sim.run.trajectory!.length, 80);
  for (const o of others) {
    assert.equal(o.run.record.status, 'finished');
    assert.deepEqual(o.run.trajectory, sim.run.trajectory, `${o.engine} vs sim`);
    assert.deepEqual(o.run.updates.array('loss'), sim.run.updates.array('loss'), `${o.engine}: the same minibatches (noise seeded by batch)`);
  }
  // With noise, another seed gives other batches: the check above could fail.
  const other = await runExperiment({ ...config, seed: 8, workers: 1, returnTrajectory: true });
  assert.notDeepEqual(other.trajectory, sim.run.trajectory);
});

test('a model on data, one worker, with a staleness step: both engines walk the same minibatches to the same θ', async () => {
  const config = {
    model: 'logreg', dataset: { name: 'gaussian-mixture', trainSize: 300, testSize: 100, dim: 4, classes: 3 }, backend: 'cpu',
    rule: { base: 'sgd', transforms: [{ name: 'staleness-step', kind: 'inverse' }] }, lr: 0.1, steps: 40, batchSize: 16, seed: 3,
  };
  const [sim, threads] = await onEveryEngine(config);
  assert.deepEqual(threads.run.trajectory, sim.run.trajectory);
  assert.equal(sim.run.record.summary.epochs, (40 * 16) / 300);
});

test('every engine writes the same core columns and summary keys', async () => {
  const [sim, threads] = await onEveryEngine({ objective: 'quadratic', lr: 0.05, steps: 10 });
  for (const { engine, run } of [sim, threads]) {
    const cols = run.updates.columnNames();
    assert.deepEqual(cols.slice(0, UPDATE_COLUMNS.length), [...UPDATE_COLUMNS], `${engine} updates`);
    assert.equal(cols.at(-1), 'profile');
    const ecols = run.evals.columnNames();
    for (const c of EVAL_COLUMNS) assert.ok(ecols.includes(c), `${engine} evals has ${c}`);
    for (const k of RUN_SUMMARY_KEYS) assert.ok(k in run.record.summary, `${engine} summary has ${k}`);
    for (const k of ['stalelab', 'node']) assert.ok(run.record.versions[k], `${engine} versions.${k}`);
    assert.ok(run.record.machine.cpu);
  }
  assert.ok(sim.run.updates.columnNames().includes('sim_time') && threads.run.updates.columnNames().includes('wall_time'));
});

test('a validated config parses to itself (a saved run.json config runs again as it is)', async () => {
  for (const input of [
    { objective: { name: 'quadratic', dim: 5 }, rule: { name: 'ga-momentum', momentum: 0.8, weightDecay: 1e-3 }, lr: 0.1, steps: 5, timing: 'round-robin', lrSchedule: { kind: 'step', milestones: [1] } },
    { engine: 'threads', objective: 'constant-gradient', rule: { base: 'sgd', transforms: [{ name: 'staleness-step', kind: 'tail-tau' }] }, lr: 0.1, steps: 5, workers: 2 },
    { model: 'mlp', dataset: 'mnist', rule: 'dana-dc', lr: 0.1, epochs: 1 },
  ]) {
    const once = await parseRunConfig(input);
    assert.deepEqual(await parseRunConfig(JSON.parse(JSON.stringify(once))), once, JSON.stringify(input));
  }
});
