import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.ts';
import { wasmConvKernelsRegistered } from '../../src/backend/wasmConvKernels.ts';
import { makeRng } from '../../src/rng/rng.ts';

before(async () => {
  await initBackend({ backend: 'cpu' });
  await initBackend({ backend: 'wasm' });
  assert.ok(wasmConvKernelsRegistered());
});

function random(seed: number, shape: number[], zeros = 0): tf.Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  // `zeros`: the share of exact zeros, as ReLU outputs have (ties inside pooling windows).
  return tf.tensor(Float32Array.from({ length: n }, () => (rng.uniform() < zeros ? 0 : rng.uniform() * 2 - 1)), shape);
}

async function on<T>(backend: string, f: () => T): Promise<T> {
  assert.ok(await tf.setBackend(backend));
  return f();
}

/** Largest |a − b| relative to max(1, max |b|). */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const MATMUL_CASES: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
  { a: [37, 19], b: [37, 23], ta: true, tb: false },
  { a: [19, 37], b: [23, 37], ta: false, tb: true },
  { a: [37, 19], b: [23, 37], ta: true, tb: true },
  { a: [5, 7, 9], b: [5, 9, 4], ta: false, tb: false },
  { a: [5, 9, 7], b: [5, 4, 9], ta: true, tb: true },
  { a: [2, 3, 7, 9], b: [9, 4], ta: false, tb: false },
  { a: [7, 9], b: [6, 9, 4], ta: false, tb: false },
  { a: [6, 9, 7], b: [1, 9, 4], ta: true, tb: false },
];

test('wasm BatchMatMul (transposed and batched products) matches the cpu backend', async () => {
  for (const [k, c] of MATMUL_CASES.entries()) {
    const run = () => tf.tidy(() => tf.matMul(random(k, c.a), random(100 + k, c.b), c.ta, c.tb).dataSync() as Float32Array);
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    assert.ok(relativeError(wasm, cpu) < 1e-5, `case ${k} ${JSON.stringify(c)}`);
  }
});

test('wasm matMul gradients match cpu and leave no tensors behind', async () => {
  const grads = () =>
    tf.tidy(() => {
      const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D).square().sum())([random(1, [3, 8, 5]), random(2, [3, 5, 6])]);
      return [da.dataSync() as Float32Array, db.dataSync() as Float32Array];
    });
  const cpu = await on('cpu', grads);
  const before = tf.memory().numTensors;
  const wasm = await on('wasm', grads);
  assert.equal(tf.memory().numTensors, before);
  // Below the engine too: the kernels free every intermediate they make on the wasm heap.
  const dataIds = tf.backend().numDataIds();
  await on('wasm', grads);
  await on('wasm', () => tf.tidy(() => MATMUL_CASES.forEach((c, k) => tf.matMul(random(k, c.a), random(100 + k, c.b), c.ta, c.tb).dataSync())));
  await on('wasm', () => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'same').sum())(random(3, [2, 9, 9, 3])).dataSync()));
  assert.equal(tf.backend().numDataIds(), dataIds);
  assert.ok(relativeError(wasm[0], cpu[0]) < 1e-5);
  assert.ok(relativeError(wasm[1], cpu[1]) < 1e-5);
});

const POOL_CASES: Array<{ shape: number[]; size: number; stride: number; pad: 'valid' | 'same' }> = [
  { shape: [4, 28, 28, 6], size: 2, stride: 2, pad: 'valid' },
  { shape: [3, 9, 7, 5], size: 2, stride: 2, pad: 'same' },
  { shape: [2, 10, 10, 3], size: 3, stride: 2, pad: 'same' },
  { shape: [2, 8, 8, 4], size: 3, stride: 1, pad: 'valid' },
];

test('wasm MaxPoolGrad routes gradients like the cpu backend, ties (ReLU zeros) included', async () => {
  for (const [k, c] of POOL_CASES.entries()) {
    const grad = () =>
      tf.tidy(() => {
        const x = random(k, c.shape, 0.4);
        const y = tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad);
        const r = random(50 + k, y.shape);
        return tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.size, c.stride, c.pad).mul(r).sum())(x).dataSync() as Float32Array;
      });
    const cpu = await on('cpu', grad);
    const wasm = await on('wasm', grad);
    assert.ok(relativeError(wasm, cpu) < 1e-6, `case ${k} ${JSON.stringify(c)}`);
  }
});
