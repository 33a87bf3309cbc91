import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { TFJS_BACKENDS, BackendUnavailableError, initBackend, type BackendChoice } from '../../src/backend/initBackend.ts';
import { wasmConvKernelsRegistered } from '../../src/backend/wasmConvKernels.ts';
import { packageVersion } from '../../src/backend/packageVersion.ts';
import { ConfigError } from '../../src/config/validate.ts';

const tfjsNodeInstalled = packageVersion('@tensorflow/tfjs-node') !== undefined || packageVersion('@tensorflow/tfjs-node-gpu') !== undefined;

/** A real computation on the active backend, read asynchronously: webgpu in Node cannot read GPU data synchronously. */
async function assertAddsUp(): Promise<void> {
  const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
  assert.deepEqual([...(await sum.data())], [4, 6]);
  sum.dispose();
}

test('auto picks a working backend and says why', async () => {
  const info = await initBackend({ backend: 'auto' });
  assert.equal(info.requested, 'auto');
  assert.equal(info.name, tf.getBackend());
  assert.ok(['tensorflow', 'webgpu', 'wasm', 'cpu'].includes(info.name), info.name);
  assert.match(info.reason, new RegExp(`^auto chose '${info.name}'`));
  assert.equal(info.versions['tfjs-core'], tf.version_core);
  assert.equal(info.versions.node, process.versions.node);
  if (info.name === 'wasm') {
    // Everything preferred over wasm was tried and its failure reported.
    assert.match(info.reason, /tried first: tensorflow \(.*tfjs-node.*\); webgpu \(.+\)/);
    assert.ok(wasmConvKernelsRegistered());
  }
  await assertAddsUp();
});

test("explicit 'cpu' and 'wasm' work, and wasm computes a conv filter gradient", async () => {
  const cpu = await initBackend({ backend: 'cpu' });
  assert.equal(cpu.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(cpu.reason, /^requested 'cpu'/);

  const wasm = await initBackend({ backend: 'wasm' });
  assert.equal(wasm.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(wasm.versions['tfjs-backend-wasm'], packageVersion('@tensorflow/tfjs-backend-wasm'));
  assert.ok(wasmConvKernelsRegistered(), 'initBackend(wasm) registers the conv gradient kernels');
  // Conv2DBackpropFilter is missing from tfjs's own wasm backend: this throws without ours.
  const dw = tf.tidy(() => {
    const x = tf.ones([2, 6, 6, 1]);
    const [g] = tf.grads((w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid').sum())([tf.ones([3, 3, 1, 2])]);
    return g!.dataSync();
  });
  // Every filter tap sees all 2·4·4 output positions, each with input 1.
  assert.deepEqual([...dw], new Array(18).fill(32));
});

test('repeated calls are cheap and re-activate the backend asked for', async () => {
  const first = await initBackend({ backend: 'wasm' });
  const again = await initBackend({ backend: 'wasm' });
  assert.equal(again, first, 'a repeated call returns the same backend info: nothing re-initialised');
  await initBackend({ backend: 'cpu' });
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(await initBackend({ backend: 'wasm' }), first);
  assert.equal(tf.getBackend(), 'wasm');
});

test("'tensorflow' without tfjs-node is a clear error naming the package and the install command", { skip: tfjsNodeInstalled && 'tfjs-node is installed here' }, async () => {
  await assert.rejects(initBackend({ backend: 'tensorflow' }), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.match(error.message, /^backend 'tensorflow': @tensorflow\/tfjs-node\(-gpu\) is not installed/);
    assert.match(error.message, /@tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed/);
    assert.match(error.message, /npm install @tensorflow\/tfjs-node/);
    return true;
  });
  assert.notEqual(tf.getBackend(), 'tensorflow');
});

test('an unknown backend name is a ConfigError listing the allowed values', async () => {
  await assert.rejects(initBackend({ backend: 'gpu' as BackendChoice }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, new RegExp(`backend: got "gpu"; allowed TensorFlow.js backends: ${TFJS_BACKENDS.join(', ')}`));
    return true;
  });
});

// The test's timeout is the bound on giving up: the adapter request times out well inside it.
test("'webgpu' either runs on a GPU or fails with a clear error", { timeout: 30_000 }, async () => {
  try {
    const info = await initBackend({ backend: 'webgpu' });
    assert.equal(info.name, 'webgpu');
    assert.match(info.reason, /WebGPU \(Dawn\) on /);
    await assertAddsUp();
  } catch (error) {
    assert.ok(error instanceof BackendUnavailableError, String(error));
    assert.match(error.message, /^backend 'webgpu': /);
    assert.match(error.message, /no GPU adapter|not installed|failed/);
    assert.match(error.message, /npm install webgpu/);
  }
});
