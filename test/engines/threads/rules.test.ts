import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULE_NAMES } from '../../../src/rules/namedRules.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import { liveThreadWorkers } from '../../../src/engines/threads/workerGang.ts';

/** A named rule with a weight decay, and the momentum and DC parameters where the rule takes them. */
const withParams = (name: string) => ({ name, weightDecay: 1e-3 });
const asyncRules = RULE_NAMES.filter((r) => r !== 'ssgd');

test('one thread under the lock: every named rule gives exactly the simulator\'s one-worker trajectory on the same batches', async () => {
  const base = { objective: { name: 'quadratic', dim: 40, noise: 0.5, hMax: 2 }, lr: 0.05, steps: 60, batchSize: 4, seed: 9, workers: 1, returnTrajectory: true };
  for (const rule of [...asyncRules.map(withParams), { base: 'momentum', transforms: ['gap-aware', { name: 'staleness-step', kind: 'tail-tau', warmupStart: 0, warmupEnd: 5 }] }]) {
    const sim = await runExperiment({ ...base, rule });
    const threads = await runExperiment({ ...base, rule, engine: 'threads', sync: 'lock' });
    assert.equal(threads.record.status, 'finished', JSON.stringify(rule));
    assert.deepEqual(threads.trajectory, sim.trajectory, `${sim.record.summary.rule}: θ after every update`);
    for (const col of ['loss', 'gap_rmse', 'penalty_mean', 'scale', 'lr']) {
      assert.deepEqual(threads.updates.array(col), sim.updates.array(col), `${sim.record.summary.rule}: ${col}`);
    }
  }
});

/**
 * Under a constant gradient the update of these rules does not depend on what a worker read, only
 * on which worker applied it: replaying the threads' order of workers in the simulator (an
 * explicit schedule) must give the same θ to the bit, or an update was lost, applied twice or torn.
 */
test('several threads, lock and Leashed-SGD: every update applied exactly once, rule state consistent (replayed in the simulator)', async () => {
  const objective = { name: 'constant-gradient', dim: 300, c: 0.5, spinMicros: 30 };
  for (const sync of ['lock', 'leashed'] as const) {
    for (const rule of ['momentum-asgd', 'nag-asgd', 'multi-asgd', 'dana-zero', 'dana-slim']) {
      const steps = 600;
      const threads = await runExperiment({ engine: 'threads', sync, workers: 3, objective, rule, lr: 0.01, steps });
      const s = threads.record.summary;
      assert.equal(s.applied, steps, `${sync} ${rule}: applied`);
      assert.equal(s.submitted, steps);
      assert.equal(s.torn_reads, 0);
      assert.equal(s.invariant_violations, 0, `${sync} ${rule}: every vector read had equal coordinates`);
      assert.deepEqual(threads.updates.array('step'), Array.from({ length: steps }, (_, i) => i + 1));
      const order = threads.updates.array('worker') as number[];
      const replay = await runExperiment({ objective, rule, lr: 0.01, steps, workers: 3, timing: { kind: 'schedule', order } });
      assert.deepEqual(threads.theta, replay.theta, `${sync} ${rule}: θ equals the replay`);
      assert.ok(threads.theta!.every((v) => v === threads.theta![0]));
    }
  }
  assert.equal(liveThreadWorkers(), 0);
});

test('GA, SA and DC under several threads: consistent reads, every update applied, penalties logged; Hogwild! measures what it loses', async () => {
  const objective = { name: 'constant-gradient', dim: 300, c: 0.5, spinMicros: 30 };
  for (const sync of ['lock', 'leashed', 'hogwild'] as const) {
    for (const rule of ['ga-momentum', 'sa', 'dc-asgd', 'ga-dana']) {
      const r = await runExperiment({ engine: 'threads', sync, workers: 3, objective, rule, lr: 0.01, steps: 400, evalEvery: 100 });
      const s = r.record.summary;
      assert.equal(r.record.status, 'finished', `${sync} ${rule}`);
      assert.equal(s.applied, 400);
      if (sync !== 'hogwild') {
        assert.equal(s.torn_reads, 0, `${sync} ${rule}`);
        assert.equal(s.invariant_violations, 0, `${sync} ${rule}`);
      } else {
        assert.equal(typeof s.torn_reads, 'number');
        assert.equal(s.torn_reads, (r.updates.array('torn') as boolean[]).filter(Boolean).length, 'the summary counts the flagged rows');
      }
      const pen = r.updates.array('penalty_mean') as number[];
      if (rule === 'sa') assert.ok(pen.every((p, i) => p === Math.max(1, (r.updates.array('staleness') as number[])[i])), `${sync}: SA divides by max(1, τ)`);
      if (rule.startsWith('ga') && sync !== 'hogwild') assert.ok(pen.every((p) => p >= 1) && pen.some((p) => p > 1), `${sync} ${rule}: GA penalised stale updates`);
      assert.ok((r.updates.array('gap_rmse') as number[]).every((g) => Number.isFinite(g)), 'the gap is measured in every mode');
    }
  }
});

test('a user transform given by module path runs in the worker threads: halving g is ASGD at η/2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-thread-rule-'));
  try {
    const mod = join(dir, 'halve.ts');
    writeFileSync(mod, "export const halve = { name: 'thread-halve', apply(_s: unknown, g: Float32Array) { for (let j = 0; j < g.length; j++) g[j] *= 0.5; } };\n");
    const base = { engine: 'threads', sync: 'lock', workers: 1, objective: { name: 'quadratic', dim: 20, noise: 0.2 }, steps: 40, seed: 2, returnTrajectory: true };
    const halved = await runExperiment({ ...base, lr: 0.2, rule: { base: 'sgd', transforms: [{ module: mod, export: 'halve' }] } });
    const asgd = await runExperiment({ ...base, lr: 0.1, rule: 'asgd' });
    assert.equal(halved.record.summary.rule, 'sgd+thread-halve');
    assert.deepEqual(halved.trajectory, asgd.trajectory);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a transform registered in this process only is refused by the threads engine, with what to do', async () => {
  const { registerTransform } = await import('../../../src/rules/registry.ts');
  registerTransform({ name: 'local-only', apply: () => {} });
  await assert.rejects(
    runExperiment({ engine: 'threads', objective: 'quadratic', lr: 0.1, steps: 5, rule: { base: 'sgd', transforms: ['local-only'] } }),
    /config\.rule: "local-only" was registered in this process only; the worker threads load user definitions from a module path: give \{ module, export \}/,
  );
});
