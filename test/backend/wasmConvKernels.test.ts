import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerWasmConvKernels, wasmConvKernelsRegistered } from '../../src/backend/wasmConvKernels.ts';
import { makeRng, type Rng } from '../../src/rng/rng.ts';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: Pad;
}

before(async () => {
  registerWasmConvKernels();
  registerWasmConvKernels(); // idempotent
  assert.ok(await tf.setBackend('cpu'));
  assert.ok(await tf.setBackend('wasm'));
});

function randomArray(rng: Rng, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => rng.uniform() * 2 - 1);
}

/** dx and dW of Σ conv2d(x, w) ⊙ r on one backend, as plain arrays. */
async function convGradients(backend: string, c: ConvCase, xs: Float32Array, ws: Float32Array, rs: (outShape: number[]) => Float32Array): Promise<{ dx: Float32Array; dw: Float32Array }> {
  assert.ok(await tf.setBackend(backend));
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, [c.batch, c.height, c.width, c.inChannels]);
    const w = tf.tensor4d(ws, [c.kernel, c.kernel, c.inChannels, c.outChannels]);
    const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
    const r = tf.tensor(rs(outShape), outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad).mul(r).sum())([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

/** Largest |a − b| relative to max(1, max |b|): float32 noise is ~1e-6 here. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

async function assertMatchesCpu(c: ConvCase, seed: number): Promise<void> {
  const rng = makeRng(seed);
  const xs = randomArray(rng, c.batch * c.height * c.width * c.inChannels);
  const ws = randomArray(rng, c.kernel * c.kernel * c.inChannels * c.outChannels);
  const rSeed = rng.int(1 << 30);
  const rs = (shape: number[]) => randomArray(makeRng(rSeed), shape.reduce((a, b) => a * b, 1));
  const cpu = await convGradients('cpu', c, xs, ws, rs);
  const wasm = await convGradients('wasm', c, xs, ws, rs);
  const label = JSON.stringify(c);
  assert.ok(cpu.dw.some((v) => v !== 0) && cpu.dx.some((v) => v !== 0), `${label}: reference gradients are all zero`);
  assert.ok(relativeError(wasm.dx, cpu.dx) <= 1e-4, `${label}: dx differs from cpu by ${relativeError(wasm.dx, cpu.dx)}`);
  assert.ok(relativeError(wasm.dw, cpu.dw) <= 1e-4, `${label}: dW differs from cpu by ${relativeError(wasm.dw, cpu.dw)}`);
}

test('our kernels are the registered wasm conv2d gradient kernels', () => {
  assert.ok(wasmConvKernelsRegistered());
});

for (const stride of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    test(`conv2d gradients on wasm equal cpu: stride ${stride}, padding ${pad}`, async () => {
      let seed = 100 * stride + (pad === 'same' ? 0 : 50);
      for (const [inChannels, outChannels] of [[1, 2], [3, 6]] as const) {
        for (const [height, width] of [[7, 9], [8, 8]] as const) {
          for (const batch of [1, 3]) {
            for (const kernel of [3, 5]) {
              await assertMatchesCpu({ batch, height, width, inChannels, outChannels, kernel, stride, pad }, seed++);
            }
          }
        }
      }
    });
  }
}

test('conv2d gradients on wasm equal cpu: explicit pads, stride 3, even filter, LeNet sizes', async () => {
  const cases: ConvCase[] = [
    { batch: 2, height: 9, width: 10, inChannels: 2, outChannels: 3, kernel: 3, stride: 2, pad: [[0, 0], [3, 1], [0, 4], [0, 0]] },
    { batch: 2, height: 10, width: 11, inChannels: 2, outChannels: 3, kernel: 3, stride: 3, pad: 'same' },
    { batch: 2, height: 7, width: 7, inChannels: 2, outChannels: 2, kernel: 2, stride: 2, pad: 'same' },
    { batch: 4, height: 28, width: 28, inChannels: 1, outChannels: 6, kernel: 5, stride: 1, pad: 'same' },
    { batch: 4, height: 14, width: 14, inChannels: 6, outChannels: 16, kernel: 5, stride: 1, pad: 'valid' },
  ];
  for (const [i, c] of cases.entries()) await assertMatchesCpu(c, 900 + i);
});

test('conv2dTranspose (Conv2DBackpropInput forward) on wasm equals cpu', async () => {
  const rng = makeRng(3);
  const ys = randomArray(rng, 2 * 4 * 5 * 6);
  const ws = randomArray(rng, 3 * 3 * 3 * 6);
  const run = async (backend: string) => {
    assert.ok(await tf.setBackend(backend));
    return tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(ys, [2, 4, 5, 6]), tf.tensor4d(ws, [3, 3, 3, 6]), [2, 8, 9, 3], 2, 'same').dataSync() as Float32Array);
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  assert.ok(relativeError(wasm, cpu) <= 1e-4, `differs from cpu by ${relativeError(wasm, cpu)}`);
});

test('unsupported dataFormat and dilations are clear errors and leak nothing', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const backend = tf.engine().backend;
  const x = tf.zeros([1, 5, 5, 2]);
  const dy = tf.zeros([1, 5, 5, 3]);
  const w = tf.zeros([3, 3, 2, 3]);
  const before = { tensors: tf.memory().numTensors, data: backend.numDataIds() };
  const filterAttrs = { strides: 1, pad: 'same', filterShape: [3, 3, 2, 3] };
  const inputAttrs = { strides: 1, pad: 'same', inputShape: [1, 5, 5, 2] };
  assert.throws(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...filterAttrs, dataFormat: 'NCHW' }), /Conv2DBackpropFilter.*dataFormat 'NCHW' is not supported/);
  assert.throws(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...inputAttrs, dataFormat: 'NCHW' }), /Conv2DBackpropInput.*dataFormat 'NCHW' is not supported/);
  assert.throws(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...filterAttrs, dataFormat: 'NHWC', dilations: [2, 2] }), /dilations \[2,2\] are not supported/);
  const wrongDy = tf.zeros([1, 4, 4, 3]);
  assert.throws(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: wrongDy }, { ...filterAttrs, dataFormat: 'NHWC' }), /dy has shape \[1,4,4,3\]/);
  wrongDy.dispose();
  assert.deepEqual({ tensors: tf.memory().numTensors, data: backend.numDataIds() }, before);
  tf.dispose([x, dy, w]);
});

/** Inputs whose class is visible (a per-class pattern plus noise), so a few steps can learn it. */
function learnableBatch(rng: Rng, size: number): { images: Float32Array; labels: Int32Array } {
  const pixels = 28 * 28;
  const prototypes = Array.from({ length: 10 }, () => randomArray(rng, pixels));
  const images = new Float32Array(size * pixels);
  const labels = new Int32Array(size);
  for (let n = 0; n < size; n++) {
    labels[n] = n % 10;
    for (let p = 0; p < pixels; p++) images[n * pixels + p] = prototypes[labels[n]!]![p]! + 0.5 * (rng.uniform() * 2 - 1);
  }
  return { images, labels };
}

test('a LeNet-5-like network trains on wasm without leaking tensors', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const rng = makeRng(11);
  const batch = 32;
  const { images, labels } = learnableBatch(rng, batch);
  const x = tf.tensor4d(images, [batch, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
  const param = (shape: number[], fanIn: number) =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * Math.sqrt(2 / fanIn)), shape));
  const w1 = param([5, 5, 1, 6], 25);
  const b1 = tf.variable(tf.zeros([6]));
  const w2 = param([5, 5, 6, 16], 150);
  const b2 = tf.variable(tf.zeros([16]));
  const w3 = param([400, 10], 400);
  const b3 = tf.variable(tf.zeros([10]));
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const conv1 = tf.relu(tf.conv2d(x, w1 as tf.Variable<tf.Rank.R4>, 1, 'same').add(b1)) as tf.Tensor4D;
      const pool1 = tf.avgPool(conv1, 2, 2, 'valid');
      const conv2 = tf.relu(tf.conv2d(pool1, w2 as tf.Variable<tf.Rank.R4>, 1, 'valid').add(b2)) as tf.Tensor4D;
      const h = tf.avgPool(conv2, 2, 2, 'valid');
      const logits = h.reshape([batch, 400]).matMul(w3 as tf.Variable<tf.Rank.R2>).add(b3);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
  const optimizer = tf.train.sgd(0.05);
  const losses: number[] = [];
  const counts: Array<{ tensors: number; data: number }> = [];
  for (let step = 0; step < 30; step++) {
    const value = optimizer.minimize(loss, true)!;
    losses.push(value.dataSync()[0]!);
    value.dispose();
    counts.push({ tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() });
  }
  assert.ok(losses.every(Number.isFinite), `non-finite loss: ${losses}`);
  assert.ok(losses[29]! < 0.6 * losses[0]!, `loss did not fall by 40% over 30 steps: ${losses[0]} → ${losses[29]}`);
  for (const c of counts.slice(1)) assert.deepEqual(c, counts[0], `tensor count grew across steps: ${JSON.stringify(counts)}`);
  tf.dispose([x, y, w1, b1, w2, b2, w3, b3]);
  optimizer.dispose();
});
