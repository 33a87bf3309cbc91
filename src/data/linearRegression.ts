import { makeRng, type Rng } from '../rng/rng.ts';
import type { Dataset, Split } from './dataset.ts';

export interface LinearRegressionOptions {
  /** Input dimension. */
  readonly dim: number;
  /** Standard deviation of the Gaussian noise added to each target (MSE floor = noise²). */
  readonly noise: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly seed: number;
}

export interface LinearRegressionDataset extends Dataset {
  /** The weights w* that generated the targets (length dim). */
  readonly trueWeights: Float32Array;
  /** The intercept b* that generated the targets. */
  readonly trueBias: number;
}

function sampleSplit(size: number, w: Float32Array, b: number, noise: number, rng: Rng): Split {
  const dim = w.length;
  const x = new Float32Array(size * dim);
  const y = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let t = b;
    for (let d = 0; d < dim; d++) {
      const v = rng.normal();
      x[i * dim + d] = v;
      t += w[d] * v;
    }
    y[i] = t + noise * rng.normal();
  }
  return { x, y, size };
}

/**
 * A seeded linear-regression set: x ~ N(0, I), y = w*·x + b* + N(0, noise²), with
 * w* ~ N(0, I/dim) (so w*·x has variance ≈ 1 whatever dim) and b* ~ N(0, 1).
 */
export function makeLinearRegression(opts: LinearRegressionOptions): LinearRegressionDataset {
  const rng = makeRng(opts.seed);
  const truthRng = rng.fork(0);
  const trueWeights = Float32Array.from({ length: opts.dim }, () => truthRng.normal() / Math.sqrt(opts.dim));
  const trueBias = Math.fround(truthRng.normal());
  return {
    name: 'linear-regression',
    task: 'regression',
    inputShape: [opts.dim],
    numClasses: 1,
    train: sampleSplit(opts.trainSize, trueWeights, trueBias, opts.noise, rng.fork(1)),
    test: sampleSplit(opts.testSize, trueWeights, trueBias, opts.noise, rng.fork(2)),
    trueWeights,
    trueBias,
  };
}
