import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/validate.ts';
import { createObjectiveOracle, quadraticObjective, type ObjectiveBatch } from '../../src/oracle/objectiveOracle.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';

test('quadratic: f = ½θᵀAθ − bᵀθ + c and g = Aθ − b, diagonal or dense', async () => {
  const diag = quadraticObjective({ diag: [1, 3], b: [1, -2], c: 0.5, theta0: [2, 1] });
  const theta = diag.init(0);
  assert.deepEqual([...theta], [2, 1]);
  const batch = diag.batches(4, 0).next();
  const r = await diag.gradient(theta, batch);
  // ½(1·4 + 3·1) − (2 − 2) + 0.5 = 4
  assert.equal(r.loss, 4);
  assert.deepEqual([...r.g], [1, 5]);
  assert.deepEqual(await diag.evaluate(theta, 'test'), { loss: 4, accuracy: null });
  const dense = quadraticObjective({ matrix: [[2, 1], [1, 2]], b: [1, 0], theta0: 1 });
  const g = (await dense.gradient(dense.init(0), dense.batches(1, 0).next())).g;
  assert.deepEqual([...g], [2, 3]);
  assert.equal((await dense.evaluate(new Float32Array([1, 1]), 'train')).loss, 0.5 * 6 - 1);
});

test('noise: reproducible per (seed, stream, batch index), sd/√B, different across streams', async () => {
  const q = quadraticObjective({ diag: new Array(2000).fill(1), theta0: 0, noise: 2, seed: 3 });
  const theta = q.init(0);
  const src = q.batches(16, 7);
  const b0 = src.next();
  const b1 = src.next();
  const g0 = (await q.gradient(theta, b0)).g;
  assert.deepEqual((await q.gradient(theta, b0)).g, g0, 'same batch ⇒ same noise');
  assert.notDeepEqual((await q.gradient(theta, b1)).g, g0);
  assert.notDeepEqual((await q.gradient(theta, q.batches(16, 8).next())).g, g0, 'another stream seed ⇒ other noise');
  const mean = g0.reduce((a, x) => a + x, 0) / g0.length;
  const sd = Math.sqrt(g0.reduce((a, x) => a + (x - mean) ** 2, 0) / g0.length);
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(sd - 0.5) < 0.03, `mean ${mean}, sd ${sd} (expected 2/√16 = 0.5)`);
  assert.equal(b1.index, 1);
  assert.equal(b1.samplesBefore, 16);
});

test('user objectives: a gradient function over Float32Array; its buffer may be reused; bad input is a ConfigError', async () => {
  const buf = new Float32Array(3);
  let calls = 0;
  const oracle = createObjectiveOracle({
    dim: 3,
    init: (seed) => new Float32Array([seed, 1, 2]),
    gradient: (theta, batch: ObjectiveBatch) => {
      calls++;
      for (let j = 0; j < 3; j++) buf[j] = theta[j] * (batch.index >= 0 ? 1 : 0);
      return { loss: theta.reduce((a, x) => a + x * x, 0) / 2, g: buf };
    },
    trainSize: 50,
  });
  assert.deepEqual([...oracle.init(5)], [5, 1, 2]);
  const r = await runExperiment({ rule: 'asgd', lr: 0.1, workers: 3, steps: 200, batchSize: 5 }, undefined, { oracle });
  assert.equal(r.record.status, 'finished');
  assert.ok((r.record.summary!.final_test_loss as number) < 1e-3);
  assert.equal(r.record.summary!.epochs, (200 * 5) / 50);
  assert.ok(calls >= 200);
  assert.throws(() => createObjectiveOracle({ dim: 0, init: new Float32Array(0), gradient: () => ({ loss: 0, g: buf }) }), /objectiveOracle\.dim: Too small/);
  assert.throws(() => createObjectiveOracle({ dim: 2, init: new Float32Array(3), gradient: () => ({ loss: 0, g: buf }) }), /objectiveOracle\.init: expected length 2/);
  assert.throws(() => quadraticObjective({ diag: [1], matrix: [[1]] }), /give exactly one of diag/);
  assert.throws(() => quadraticObjective({ matrix: [[1, 2], [0, 1]] }), (e: Error) => e instanceof ConfigError && /must be symmetric/.test(e.message));
  assert.throws(() => quadraticObjective({ diag: [1, 2], b: [1] }), /quadratic\.b: expected length 2/);
  const bad = createObjectiveOracle({ dim: 2, init: new Float32Array(2), gradient: () => ({ loss: 0, g: new Float32Array(3) }) });
  await assert.rejects(bad.gradient(new Float32Array(2), bad.batches(1, 0).next()), /gradient\(…\)\.g: expected length 2/);
});
