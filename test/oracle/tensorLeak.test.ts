import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.ts';
import { makeGaussianMixture } from '../../src/data/gaussianMixture.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { buildModel, type ModelSpecInput } from '../../src/models/zoo.ts';
import { createModelOracle } from '../../src/oracle/modelOracle.ts';
import type { GradientOracle } from '../../src/oracle/oracle.ts';
import { makeRng } from '../../src/rng/rng.ts';

before(async () => {
  await tf.setBackend('cpu');
});

function oracleFor(spec: ModelSpecInput, dataset: Dataset): GradientOracle {
  return createModelOracle({ model: buildModel(spec, dataset.inputShape, dataset.numClasses, dataset.task), dataset });
}

/** Run `steps` SGD steps (gradient, apply, fold statistics), evaluating every `evalEvery`. */
async function train(oracle: GradientOracle, steps: number, batchSize: number, evalEvery: number): Promise<Float32Array> {
  const theta = oracle.init(1);
  const source = oracle.batches(batchSize, 1);
  for (let step = 1; step <= steps; step++) {
    const { g, stats } = await oracle.gradient(theta, source.next());
    for (let j = 0; j < theta.length; j++) theta[j] -= 0.05 * g[j];
    if (stats) oracle.foldStats(stats);
    if (step % evalEvery === 0) await oracle.evaluate(theta, 'test');
  }
  return theta;
}

const mixture = makeGaussianMixture({ classes: 3, dim: 20, separation: 3, noise: 1, trainSize: 512, testSize: 200, seed: 1 });

test('2000 gradient calls on a small MLP (cpu) leave the tensor count and bytes where they started', async () => {
  const oracle = oracleFor({ name: 'mlp', widths: [16] }, mixture);
  await train(oracle, 20, 16, 10); // warm-up: backend-level allocations settle
  const before = tf.memory();
  const theta = await train(oracle, 2000, 16, 250);
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  assert.ok(theta.every(Number.isFinite));
  oracle.dispose();
});

test('failing and diverging calls leak nothing either', async () => {
  const oracle = oracleFor({ name: 'mlp', widths: [16] }, mixture);
  const before = tf.memory().numTensors;
  const batch = oracle.batches(8, 2).next();
  const nan = oracle.init(2).fill(NaN);
  for (let i = 0; i < 50; i++) {
    assert.ok(Number.isNaN((await oracle.gradient(nan, batch)).loss));
    await assert.rejects(oracle.gradient(oracle.init(0), { ...batch, size: 7 }));
    await assert.rejects(oracle.evaluate(new Float32Array(3), 'test'));
  }
  assert.equal(tf.memory().numTensors, before);
});

test('a batch-norm model (ResNet-20, tiny inputs) leaks nothing across gradients, folds and evaluations', async () => {
  const rng = makeRng(3);
  const images = (n: number) => ({
    x: Float32Array.from({ length: n * 8 * 8 * 3 }, () => rng.normal()),
    y: Int32Array.from({ length: n }, () => rng.int(2)),
    size: n,
  });
  const dataset: Dataset = { name: 'noise', task: 'classification', inputShape: [8, 8, 3], numClasses: 2, train: images(16), test: images(6) };
  const oracle = oracleFor({ name: 'resnet20' }, dataset);
  await train(oracle, 1, 2, 1);
  const before = tf.memory();
  await train(oracle, 4, 2, 2);
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
});

test('on wasm: 300 MLP 784-256-128-10 gradients keep the tensor count flat', async () => {
  await initBackend({ backend: 'wasm' });
  try {
    const data = makeGaussianMixture({ classes: 10, dim: 784, separation: 3, noise: 1, trainSize: 256, testSize: 100, seed: 4 });
    const oracle = oracleFor({ name: 'mlp' }, data);
    await train(oracle, 5, 16, 5);
    const before = tf.memory();
    await train(oracle, 300, 16, 100);
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numBytes, before.numBytes);
  } finally {
    await tf.setBackend('cpu');
  }
});
