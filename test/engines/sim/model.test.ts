import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { quadraticObjective } from '../../../src/oracle/objectiveOracle.ts';
import type { GradientOracle } from '../../../src/oracle/oracle.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import { sweep } from '../../../src/sweep/sweep.ts';

const mnist = {
  model: { name: 'mlp', widths: [64] },
  dataset: { name: 'mnist', trainSize: 2000, testSize: 500 },
  backend: 'wasm',
} as const;

test('MLP on a 2k MNIST subset, N = 4 gamma workers, 300 updates: accuracy far above chance, no tensor leak', async () => {
  const r = await runExperiment({ rule: 'dana-zero', lr: 0.05, workers: 4, steps: 300, batchSize: 32, evalEvery: 150, ...mnist });
  assert.equal(r.record.status, 'finished');
  assert.equal(r.record.backend, 'wasm');
  assert.ok(r.record.versions.tfjs, 'tfjs version recorded');
  assert.match(r.record.summary!.objective as string, /mlp\(784-64-10\) on mnist/);
  const acc = r.evals.array('accuracy') as number[];
  assert.ok(acc[0] < 0.25, `untrained accuracy ${acc[0]}`);
  assert.ok(acc.at(-1)! > 0.8, `final accuracy ${acc.at(-1)} (chance is 0.1)`);
  assert.ok((r.record.summary!.staleness_mean as number) > 2.5);
  // A second run must leave no tensors behind (the oracle is disposed, every step tidied).
  const before = tf.memory().numTensors;
  await runExperiment({ rule: 'ga-momentum', lr: 0.05, workers: 8, steps: 50, batchSize: 32, ...mnist });
  assert.equal(tf.memory().numTensors, before);
});

test('LeNet-5 on MNIST (wasm, our conv-gradient kernels), N = 8 Gap-Aware workers: it learns', async () => {
  const r = await runExperiment({
    rule: 'ga', lr: 0.05, workers: 8, steps: 200, batchSize: 32, evalEvery: 100,
    model: { name: 'lenet5' }, dataset: { name: 'mnist', trainSize: 2000, testSize: 500 }, backend: 'wasm',
  });
  assert.equal(r.record.status, 'finished');
  assert.match(r.record.summary!.objective as string, /lenet5/);
  const acc = r.evals.array('accuracy') as number[];
  assert.ok(acc.at(-1)! > acc[0] + 0.3, `test accuracy ${acc[0]} → ${acc.at(-1)}`);
  assert.ok((r.record.summary!.penalty_mean as number) > 1, 'the gap penalty acted');
});

test('a model sweep (async rules and SSGD) shares one oracle and finishes every run', async () => {
  const result = await sweep({
    base: { lr: 0.05, workers: 4, steps: 40, batchSize: 32, rule: 'asgd', ...mnist },
    vary: { rule: ['asgd', 'nag-asgd', 'ssgd'] },
  });
  assert.deepEqual(result.runs.array('status'), ['finished', 'finished', 'finished']);
  assert.ok((result.runs.array('final_test_accuracy') as number[]).every((a) => a > 0.3));
});

/** A quadratic whose gradients carry "batch statistics" (the update's batch index), to check the engine folds them. */
function statsOracle(folded: number[]): GradientOracle {
  const q = quadraticObjective({ diag: [1, 2], theta0: 1 });
  return {
    ...q,
    state: new Float32Array(1),
    async gradient(theta, batch) {
      const r = await q.gradient(theta, batch);
      return { ...r, stats: new Float32Array([batch.index]) };
    },
    foldStats(stats) {
      folded.push(stats[0]);
    },
  };
}

test('batch-norm statistics are folded when their gradient is applied (async: in apply order; SSGD: all N)', async () => {
  const folded: number[] = [];
  const r = await runExperiment(
    { rule: 'asgd', lr: 0.1, workers: 3, timing: { kind: 'schedule', order: [2, 0, 0, 1] }, steps: 4 },
    undefined,
    { oracle: statsOracle(folded) },
  );
  assert.equal(r.record.status, 'finished');
  // Batches 0, 1, 2 go to workers 0, 1, 2 at the start. Worker 2 applies batch 2 and is sent
  // batch 3; worker 0 applies batch 0 and is sent batch 4, which it applies next; then worker 1
  // applies batch 1.
  assert.deepEqual(folded, [2, 0, 4, 1]);
  const syncFolded: number[] = [];
  await runExperiment({ rule: 'ssgd', lr: 0.1, workers: 3, timing: { kind: 'round-robin' }, steps: 2 }, undefined, { oracle: statsOracle(syncFolded) });
  assert.deepEqual(syncFolded, [0, 1, 2, 3, 4, 5]);
});
