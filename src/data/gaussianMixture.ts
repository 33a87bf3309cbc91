import { makeRng, type Rng } from '../rng/rng.ts';
import type { Dataset, Split } from './dataset.ts';

export interface GaussianMixtureOptions {
  /** Number of classes (≥ 2). */
  readonly classes: number;
  /** Input dimension. */
  readonly dim: number;
  /** Distance of every class mean from the origin. */
  readonly separation: number;
  /** Standard deviation of the isotropic Gaussian noise around each mean. */
  readonly noise: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly seed: number;
}

export interface GaussianMixtureDataset extends Dataset {
  /** Class means, classes × dim, row-major. */
  readonly centers: Float32Array;
}

function sampleSplit(size: number, centers: Float32Array, opts: GaussianMixtureOptions, rng: Rng): Split {
  const { classes, dim, noise } = opts;
  // Balanced classes (counts differ by at most one), in random order.
  const y = rng.shuffle(Int32Array.from({ length: size }, (_, i) => i % classes));
  const x = new Float32Array(size * dim);
  for (let i = 0; i < size; i++) {
    for (let d = 0; d < dim; d++) x[i * dim + d] = centers[y[i] * dim + d] + noise * rng.normal();
  }
  return { x, y, size };
}

/**
 * A seeded Gaussian-mixture classification set: class c's mean is a random direction scaled to
 * length `separation`; an example of class c is that mean plus N(0, noise²·I). Train and test are
 * independent draws from the same mixture.
 */
export function makeGaussianMixture(opts: GaussianMixtureOptions): GaussianMixtureDataset {
  const { classes, dim, separation } = opts;
  const rng = makeRng(opts.seed);
  const centerRng = rng.fork(0);
  const centers = new Float32Array(classes * dim);
  for (let c = 0; c < classes; c++) {
    const v = Array.from({ length: dim }, () => centerRng.normal());
    const norm = Math.sqrt(v.reduce((s, vd) => s + vd * vd, 0)) || 1;
    v.forEach((vd, d) => (centers[c * dim + d] = (separation * vd) / norm));
  }
  return {
    name: 'gaussian-mixture',
    task: 'classification',
    inputShape: [dim],
    numClasses: classes,
    train: sampleSplit(opts.trainSize, centers, opts, rng.fork(1)),
    test: sampleSplit(opts.testSize, centers, opts, rng.fork(2)),
    centers,
  };
}
