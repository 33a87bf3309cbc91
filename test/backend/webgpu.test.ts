/**
 * The WebGPU path (Dawn through the `webgpu` package) checked where no GPU is lent: Debian's
 * chromium ships SwiftShader, a software Vulkan device (scripts/setup-swiftshader.sh installs it
 * and the Vulkan loader). Correctness only: a software GPU is far slower than wasm. CI sets
 * STALELAB_REQUIRE_WEBGPU=1, so there a missing device fails rather than skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.ts';
import { loadDataset } from '../../src/data/loadDataset.ts';
import { buildModel, parseModelSpec } from '../../src/models/zoo.ts';
import { createModelOracle } from '../../src/oracle/modelOracle.ts';
import { syntheticImages } from '../../bench/syntheticImages.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

async function webgpuReason(): Promise<string | null> {
  try {
    await initBackend({ backend: 'webgpu' });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
const unavailable = await webgpuReason();
if (unavailable && process.env.STALELAB_REQUIRE_WEBGPU) throw new Error(`STALELAB_REQUIRE_WEBGPU is set but ${unavailable}`);
const skip = unavailable ? `no WebGPU device (run scripts/setup-swiftshader.sh): ${unavailable}` : false;

function relDiff(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let d = 0;
  let s = 1e-6;
  for (let j = 0; j < e.length; j++) {
    d = Math.max(d, Math.abs(a[j] - e[j]));
    s = Math.max(s, Math.abs(e[j]));
  }
  return d / s;
}

test('every model: loss and gradient on webgpu equal wasm\'s within float32 tolerance', { skip, timeout: 600_000 }, async () => {
  const mnist = await loadDataset({ name: 'mnist', trainSize: 64, testSize: 16 });
  const cifar = syntheticImages('cifar-like', [32, 32, 3], 10, 8, 3, 4);
  const cases: [string, typeof mnist, number][] = [['logreg', mnist, 8], ['mlp', mnist, 8], ['lenet5', mnist, 4], ['lenet-asap', mnist, 4], ['resnet20', cifar, 2]];
  for (const [name, dataset, batchSize] of cases) {
    const model = buildModel(parseModelSpec(name), dataset.inputShape, dataset.numClasses, dataset.task);
    const oracle = createModelOracle({ model, dataset });
    const theta = oracle.init(1);
    const batch = oracle.batches(batchSize, 2).at(0);
    await initBackend({ backend: 'wasm' });
    const wasm = await oracle.gradient(theta, batch);
    await initBackend({ backend: 'webgpu' });
    assert.equal(tf.getBackend(), 'webgpu');
    const gpu = await oracle.gradient(theta, batch);
    assert.ok(Math.abs(gpu.loss - wasm.loss) <= 1e-4 * Math.max(1, Math.abs(wasm.loss)), `${name}: loss ${gpu.loss} vs ${wasm.loss}`);
    assert.ok(relDiff(gpu.g, wasm.g) < 1e-3, `${name}: gradients differ by ${relDiff(gpu.g, wasm.g)}`);
    oracle.dispose();
  }
});

test('on webgpu, in-flight batched gradients give the run of one-by-one, and a short run trains', { skip, timeout: 600_000 }, async () => {
  const base = { model: { name: 'mlp', widths: [16] }, dataset: { name: 'gaussian-mixture', trainSize: 256, testSize: 64, dim: 8 }, backend: 'webgpu', lr: 0.5, workers: 4, batchSize: 16, steps: 24, evalEvery: 24, seed: 4, computeThreads: 1 };
  const off = await runExperiment({ ...base, gradientBatching: 'off' });
  const batched = await runExperiment({ ...base, gradientBatching: 'in-flight', gradientGroup: 4 });
  assert.equal(off.record.backend, 'webgpu');
  assert.match(off.record.backendReason ?? '', /WebGPU \(Dawn\)/);
  assert.ok((batched.record.summary.gradient_passes as number) < (batched.record.summary.gradients_computed as number), 'some passes computed several gradients');
  assert.ok(relDiff(batched.theta!, off.theta!) < 1e-4, 'the same θ');
  const acc = off.evals.array('accuracy') as number[];
  assert.ok(acc.at(-1)! > acc[0], `test accuracy ${acc[0]} → ${acc.at(-1)}`);
});

test("'auto' does not take a software GPU: it runs on the CPU and says why", { skip }, async () => {
  const info = await initBackend({ backend: 'auto' });
  assert.notEqual(info.name, 'webgpu');
  assert.match(info.reason, /webgpu \(only a software \(fallback\) GPU adapter is available .*slower than wasm\)/);
});
