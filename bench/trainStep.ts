import * as tf from '@tensorflow/tfjs';
import { buildModel, type ModelSpecInput } from '../src/models/zoo.ts';
import { createModelOracle } from '../src/oracle/modelOracle.ts';
import { syntheticImages } from './syntheticImages.ts';

export interface StepTiming {
  medianMs: number;
  samples: number[];
  dim: number;
}

export const BENCH_MODELS: Record<string, { spec: ModelSpecInput; inputShape: number[] }> = {
  mlp: { spec: { name: 'mlp', widths: [256, 128] }, inputShape: [28, 28, 1] },
  lenet5: { spec: { name: 'lenet5' }, inputShape: [28, 28, 1] },
  resnet20: { spec: { name: 'resnet20' }, inputShape: [32, 32, 3] },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median wall time of one SGD train step (gradient through the oracle, θ ← θ − ηg in JS) on the
 * current backend: what an engine pays per update. The first steps warm up kernels and are dropped.
 */
export async function timeTrainStep(model: string, batchSize: number, reps: number, warmup = 2): Promise<StepTiming> {
  const { spec, inputShape } = BENCH_MODELS[model];
  const data = syntheticImages(model, inputShape, 10, Math.max(batchSize * 2, 256));
  const oracle = createModelOracle({ model: buildModel(spec, inputShape, 10, 'classification'), dataset: data });
  const theta = oracle.init(1);
  const batches = oracle.batches(batchSize, 1);
  const samples: number[] = [];
  const before = tf.memory().numTensors;
  for (let i = 0; i < warmup + reps; i++) {
    const batch = batches.next();
    const t0 = performance.now();
    const { g } = await oracle.gradient(theta, batch);
    for (let j = 0; j < theta.length; j++) theta[j] -= 0.01 * g[j];
    const dt = performance.now() - t0;
    if (i >= warmup) samples.push(dt);
  }
  oracle.dispose();
  if (tf.memory().numTensors > before) throw new Error(`bench: ${model} leaked ${tf.memory().numTensors - before} tensors`);
  return { medianMs: median(samples), samples, dim: oracle.dim };
}

/** Sustained matmul rate (GFLOP/s) of an n×n product on the current backend. */
export async function matmulGflops(n: number, reps: number): Promise<number> {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const once = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (median(times) / 1000) / 1e9;
}
