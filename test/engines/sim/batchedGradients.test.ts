import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/initBackend.ts';
import type { Dataset } from '../../../src/data/dataset.ts';
import { buildModel } from '../../../src/models/zoo.ts';
import { createModelOracle } from '../../../src/oracle/modelOracle.ts';
import { makeRng } from '../../../src/rng/rng.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import type { SimConfigInput } from '../../../src/engines/sim/simConfig.ts';
import { ConfigError } from '../../../src/config/validate.ts';

/**
 * Batched ('in-flight') and one-by-one ('off') gradient evaluation must give the same run: the
 * same schedule and staleness exactly, and the same losses and parameters up to float32
 * round-off. Tolerance: 1e-5 relative to max(1, |value|) (each gradient goes through the same
 * kernels in both modes, so in practice they agree bit for bit).
 */
const TOL = 1e-5;

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(b[i]));
    assert.ok(Math.abs(a[i] - b[i]) <= TOL * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

async function bothModes(base: SimConfigInput, makeOracle?: () => ReturnType<typeof createModelOracle>) {
  const runs = [];
  for (const gradientBatching of ['off', 'in-flight'] as const) {
    const oracle = makeOracle?.();
    const r = await runExperiment({ ...base, gradientBatching }, undefined, oracle ? { oracle } : {});
    runs.push({ r, state: oracle ? oracle.state.slice() : null });
    oracle?.dispose();
  }
  return runs;
}

function assertSameRun(off: Awaited<ReturnType<typeof bothModes>>[0], batched: Awaited<ReturnType<typeof bothModes>>[1], steps: number): void {
  assert.equal(off.r.record.status, 'finished');
  assert.equal(batched.r.record.status, 'finished');
  for (const col of ['step', 'worker', 'staleness']) {
    assert.deepEqual(batched.r.updates.array(col), off.r.updates.array(col), `column ${col}`);
  }
  assertClose(batched.r.updates.array('loss') as number[], off.r.updates.array('loss') as number[], 'loss');
  assertClose(batched.r.updates.array('gap_rmse') as number[], off.r.updates.array('gap_rmse') as number[], 'gap_rmse');
  assertClose(batched.r.theta!, off.r.theta!, 'final θ');
  const s = batched.r.record.summary!;
  assert.equal(s.gradient_batching, 'in-flight');
  assert.equal(off.r.record.summary!.gradient_passes, steps, 'one-by-one: one pass per update');
  // The first passes calibrate (grouped and single, alternating); then the faster is kept.
  assert.ok((s.gradient_passes as number) < (s.gradients_computed as number), `batched: ${s.gradient_passes} passes computed ${s.gradients_computed} gradients`);
  // Still calibrating when a short run ends (null), or the faster of grouped and single passes kept.
  const used = s.gradient_group_used as number | null;
  assert.ok(used === null || (Number.isInteger(used) && used >= 1 && used <= (batched.r.record.config as { gradientGroup: number }).gradientGroup), `group used ${used}`);
  assert.ok((s.gradients_computed as number) >= steps, 'every applied gradient was computed');
}

test('MLP, N = 8 gamma workers: in-flight batching gives the same updates and θ as one-by-one', async () => {
  const steps = 40;
  const [off, batched] = await bothModes({
    rule: 'dana-zero', lr: 0.05, workers: 8, steps, batchSize: 32, seed: 3,
    model: { name: 'mlp', widths: [64] }, dataset: { name: 'mnist', trainSize: 1000, testSize: 200 }, backend: 'wasm',
  });
  assertSameRun(off, batched, steps);
  assert.equal(batched.r.record.backend, 'wasm');
});

test('LeNet-5, N = 6 round-robin workers, gradient groups of 4: same run as one-by-one, no tensor leak', async () => {
  const steps = 24;
  const before = tf.memory().numTensors;
  const [off, batched] = await bothModes({
    rule: 'ga-momentum', lr: 0.02, workers: 6, steps, batchSize: 16, seed: 5, gradientGroup: 4,
    timing: { kind: 'round-robin' },
    model: { name: 'lenet5' }, dataset: { name: 'mnist', trainSize: 500, testSize: 100 }, backend: 'wasm',
  });
  assertSameRun(off, batched, steps);
  assert.ok((batched.r.record.summary!.gradient_passes as number) >= steps / 4, 'groups hold at most gradientGroup');
  assert.ok((batched.r.record.summary!.gradients_computed as number) <= steps + 4, 'no gradient far past the budget');
  assert.equal(tf.memory().numTensors, before);
});

/** Random 8×8×3 images in 10 classes: enough for ResNet-20's batch norm to have statistics. */
function tinyImages(rows: number): Dataset {
  const rng = makeRng(11);
  const split = () => ({
    x: Float32Array.from({ length: rows * 192 }, () => rng.uniform()),
    y: Int32Array.from({ length: rows }, () => rng.int(10)),
    size: rows,
  });
  return { name: 'tiny-images', task: 'classification', inputShape: [8, 8, 3], numClasses: 10, train: split(), test: split() };
}

test('ResNet-20 (batch norm): batched runs fold the same statistics in the same order', async () => {
  await initBackend({ backend: 'wasm' });
  const data = tinyImages(64);
  const steps = 8;
  const [off, batched] = await bothModes(
    { rule: 'asgd', lr: 0.01, workers: 4, steps, batchSize: 8, seed: 2 },
    () => createModelOracle({ model: buildModel({ name: 'resnet20' }, [8, 8, 3], 10, 'classification'), dataset: data }),
  );
  assertSameRun(off, batched, steps);
  assert.ok(off.state!.length > 0);
  assertClose(batched.state!, off.state!, 'running statistics');
});

test('gradientBatching and gradientGroup are validated', async () => {
  const base = { rule: 'asgd', lr: 0.1, workers: 2, steps: 2, objective: { name: 'quadratic', dim: 2 } };
  await assert.rejects(runExperiment({ ...base, gradientBatching: 'yes' } as never), (e: Error) => e instanceof ConfigError && /gradientBatching/.test(e.message) && /in-flight/.test(e.message));
  await assert.rejects(runExperiment({ ...base, gradientGroup: 0 } as never), (e: Error) => e instanceof ConfigError && /gradientGroup/.test(e.message));
});
