import * as tf from '@tensorflow/tfjs';
import { loadBlasAddon } from '../src/backend/blas/blasAddon.ts';
import { createBlasOracle } from '../src/backend/blas/blasOracle.ts';
import { buildModel, parseModelSpec, type ModelSpecInput } from '../src/models/zoo.ts';
import { createModelOracle } from '../src/oracle/modelOracle.ts';
import { sgdUpdate } from '../src/rules/bases/thetaOps.ts';
import type { GradientOracle } from '../src/oracle/oracle.ts';
import { median } from './figures.ts';
import { syntheticImages } from './syntheticImages.ts';

export interface StepTiming {
  medianMs: number;
  samples: number[];
  dim: number;
}

export const BENCH_MODELS: Record<string, { spec: ModelSpecInput; inputShape: number[] }> = {
  mlp: { spec: { name: 'mlp', widths: [256, 128] }, inputShape: [28, 28, 1] },
  mlp64: { spec: { name: 'mlp', widths: [64] }, inputShape: [28, 28, 1] },
  mlp128: { spec: { name: 'mlp', widths: [128] }, inputShape: [28, 28, 1] },
  mlp256: { spec: { name: 'mlp', widths: [256] }, inputShape: [28, 28, 1] },
  lenet5: { spec: { name: 'lenet5' }, inputShape: [28, 28, 1] },
  resnet20: { spec: { name: 'resnet20' }, inputShape: [32, 32, 3] },
};

/** The CPU backends a bench oracle can run on: TensorFlow.js (whatever initBackend made current) or the native addon. */
export type BenchBackend = 'tfjs' | 'blas';

/** Whether the native addon is built here (else the blas figures are skipped with this reason). */
export function blasMissing(): string | null {
  const a = loadBlasAddon();
  return 'error' in a ? a.error : null;
}

/**
 * A model oracle on random data of the model's input shape (step times do not depend on pixel
 * values), on the current TensorFlow.js backend or the native addon. `testRows` bounds the cost
 * of the evaluations an engine makes at its start and end.
 */
export function benchOracle(model: string, trainRows: number, testRows = 256, backend: BenchBackend = 'tfjs'): GradientOracle {
  const { spec, inputShape } = BENCH_MODELS[model];
  const data = syntheticImages(model, inputShape, 10, trainRows, 1, testRows);
  const built = buildModel(spec, inputShape, 10, 'classification');
  if (backend === 'tfjs') return createModelOracle({ model: built, dataset: data });
  const a = loadBlasAddon();
  if ('error' in a) throw new Error(a.error);
  return createBlasOracle({ addon: a.addon, spec: parseModelSpec(spec), model: built, dataset: data });
}

/**
 * Median wall time of one SGD train step on the current backend (gradient through the oracle, then
 * the library's own θ ← θ − ηg, the step ASGD applies): what an engine pays per update. The first steps warm up kernels and are dropped.
 * `shared`: time this oracle (not disposed) instead of a fresh one on 256 random images.
 */
export async function timeTrainStep(model: string, batchSize: number, reps: number, warmup = 2, shared?: GradientOracle, backend: BenchBackend = 'tfjs'): Promise<StepTiming> {
  // The blas oracle still builds its model with tfjs layers, so a tfjs backend must be up even there.
  await tf.ready();
  const oracle = shared ?? benchOracle(model, Math.max(batchSize * 2, 256), 256, backend);
  const theta = oracle.init(1);
  const batches = oracle.batches(batchSize, 1);
  const samples: number[] = [];
  const before = tf.memory().numTensors;
  for (let i = 0; i < warmup + reps; i++) {
    const batch = batches.next();
    const t0 = performance.now();
    const { g } = await oracle.gradient(theta, batch);
    sgdUpdate(theta, g, 0.01);
    const dt = performance.now() - t0;
    if (i >= warmup) samples.push(dt);
  }
  if (!shared) oracle.dispose();
  if (tf.memory().numTensors > before) throw new Error(`bench: ${model} leaked ${tf.memory().numTensors - before} tensors`);
  return { medianMs: median(samples), samples, dim: oracle.dim };
}

/**
 * Matmul rate (GFLOP/s) of an n×n product on the current backend: the median of `reps` timings,
 * or the best one (`best`: what the hardware does when nothing else runs, for a floor).
 */
export async function matmulGflops(n: number, reps: number, stat: 'median' | 'best' = 'median'): Promise<number> {
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
  const ms = stat === 'best' ? Math.min(...times) : median(times);
  return (2 * n ** 3) / (ms / 1000) / 1e9;
}
