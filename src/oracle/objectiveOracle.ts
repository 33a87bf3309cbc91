import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/validate.ts';
import type { Batch, BatchSource } from '../data/dataset.ts';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mixSeed } from '../rng/rng.ts';
import type { GradientOracle, GradientResult } from './oracle.ts';

/** A minibatch of a user objective: no data rows, only a position in a seeded stream. */
export interface ObjectiveBatch extends Batch {
  /** Seed of the stream that produced it (the engine derives it from the run's seed). */
  readonly streamSeed: number;
}

export interface ObjectiveValue {
  loss: number;
  g: Float32Array;
}

export interface ObjectiveOracleOptions {
  /** Number of parameters D. */
  dim: number;
  /** θ0 (copied), or a function of the run's seed. */
  init: Float32Array | ((seed: number) => Float32Array);
  /**
   * Minibatch loss and gradient at θ. `batch.index` (and `streamSeed`) may seed the objective's
   * own randomness; the returned g is copied, so the function may reuse one buffer.
   */
  gradient: (theta: Float32Array, batch: ObjectiveBatch) => ObjectiveValue | Promise<ObjectiveValue>;
  /** The exact objective, for `evaluate`. Default: the loss `gradient` returns on batch index −1. */
  loss?: (theta: Float32Array) => number | Promise<number>;
  /**
   * Additive Gaussian gradient noise, reproducible: the draw for a batch depends only on
   * (noise.seed, the stream's seed, batch.index). `std` is the per-coordinate sd of a one-sample
   * gradient; a batch of size B gets std/√B, as an average of B independent samples would.
   */
  noise?: { std: number; seed?: number };
  /** Samples per epoch, for epoch counts and schedules in epochs. Default 1000 (a convention). */
  trainSize?: number;
  description?: string;
}

const numericOptions = z
  .object({
    dim: z.number().int().min(1).max(1e9),
    noise: z.object({ std: z.number().min(0).finite(), seed: z.number().int().default(0) }).strict().optional(),
    trainSize: z.number().int().min(1).default(1000),
    description: z.string().optional(),
  })
  .strict();

function checkVector(v: unknown, dim: number, what: string): Float32Array {
  if (!(v instanceof Float32Array)) throw new ConfigError(`objectiveOracle.${what}: expected a Float32Array, got ${Object.prototype.toString.call(v)}`);
  if (v.length !== dim) throw new ConfigError(`objectiveOracle.${what}: expected length ${dim} (dim), got ${v.length}`);
  return v;
}

/**
 * Adds N(0, sd²) to every entry, from a generator seeded by `seed` (Box–Muller over pure-rand's
 * xoroshiro128+: a fresh seeded stream per minibatch must be cheap, unlike makeRng's samplers).
 */
function addGaussian(g: Float32Array, sd: number, seed: number): void {
  const gen = xoroshiro128plus(seed);
  for (let j = 0; j < g.length; j += 2) {
    const u1 = 1 - uniformFloat64(gen); // (0, 1]: log stays finite
    const u2 = uniformFloat64(gen);
    const r = sd * Math.sqrt(-2 * Math.log(u1));
    g[j] += r * Math.cos(2 * Math.PI * u2);
    if (j + 1 < g.length) g[j + 1] += r * Math.sin(2 * Math.PI * u2);
  }
}

/**
 * A GradientOracle over a user objective: a gradient function on Float32Array θ, for exact tests
 * and problems without data. `evaluate` gives { loss, accuracy: null } on either split (there is
 * no data to split); there is no batch-norm state.
 */
export function createObjectiveOracle(options: ObjectiveOracleOptions): GradientOracle {
  const { init, gradient, loss, ...rest } = options;
  const opts = parseConfig(numericOptions, rest, 'objectiveOracle');
  const dim = opts.dim;
  if (typeof gradient !== 'function') throw new ConfigError('objectiveOracle.gradient: expected a function (theta, batch) => { loss, g }');
  if (loss !== undefined && typeof loss !== 'function') throw new ConfigError('objectiveOracle.loss: expected a function (theta) => number');
  const initFn = typeof init === 'function' ? init : (() => {
    const theta0 = checkVector(init, dim, 'init').slice();
    return () => theta0.slice();
  })();
  const noise = opts.noise && opts.noise.std > 0 ? opts.noise : null;
  const evalBatch: ObjectiveBatch = { x: new Float32Array(0), y: new Int32Array(0), size: 0, index: -1, samplesBefore: 0, streamSeed: 0 };

  return {
    dim,
    description: opts.description ?? `objective(D=${dim}${noise ? `, noise sd ${noise.std}` : ''})`,
    trainSize: opts.trainSize,
    state: new Float32Array(0),
    init(seed) {
      return checkVector(initFn(seed), dim, 'init(seed)').slice();
    },
    batches(batchSize, seed): BatchSource {
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize: expected an integer ≥ 1, got ${batchSize}`);
      const empty = { x: new Float32Array(0), y: new Int32Array(0) };
      const at = (index: number): ObjectiveBatch => ({ ...empty, size: batchSize, index, samplesBefore: index * batchSize, streamSeed: seed });
      let cursor = 0;
      return { at, next: () => at(cursor++) };
    },
    async gradient(theta, batch): Promise<GradientResult> {
      const b = batch as ObjectiveBatch;
      const r = await gradient(theta, b);
      const g = checkVector(r.g, dim, 'gradient(…).g').slice();
      if (noise) {
        const sd = noise.std / Math.sqrt(Math.max(1, b.size));
        addGaussian(g, sd, mixSeed(mixSeed(noise.seed, b.streamSeed ?? 0), b.index));
      }
      return { loss: r.loss, g };
    },
    async evaluate(theta) {
      return { loss: loss ? await loss(theta) : (await gradient(theta, evalBatch)).loss, accuracy: null };
    },
    foldStats() {},
    dispose() {},
  };
}

const vector = z.preprocess((v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v), z.array(z.number().finite()).min(1));

const quadraticOptions = z
  .object({
    diag: vector.optional(),
    matrix: z.array(z.array(z.number().finite())).min(1).optional(),
    b: vector.optional(),
    c: z.number().finite().default(0),
    theta0: z.union([z.number().finite(), vector]).default(1),
    noise: z.number().min(0).finite().default(0),
    seed: z.number().int().default(0),
    trainSize: z.number().int().min(1).default(1000),
  })
  .strict();

export type QuadraticOptions = z.input<typeof quadraticOptions>;

/**
 * f(θ) = ½ θᵀAθ − bᵀθ + c with A = diag(`diag`) or a symmetric `matrix`; g = Aθ − b, plus
 * optional Gaussian noise of sd `noise`/√B seeded by (seed, batch stream, batch index).
 * Defaults: b = 0, c = 0, θ0 = 1 in every coordinate (a number or a vector).
 */
export function quadraticObjective(input: QuadraticOptions): GradientOracle {
  const o = parseConfig(quadraticOptions, input, 'quadratic');
  if ((o.diag === undefined) === (o.matrix === undefined)) throw new ConfigError('quadratic: give exactly one of diag (the diagonal of A) or matrix (A itself)');
  const dim = o.diag ? o.diag.length : o.matrix!.length;
  let A: Float64Array | null = null;
  if (o.matrix) {
    A = new Float64Array(dim * dim);
    o.matrix.forEach((row, r) => {
      if (row.length !== dim) throw new ConfigError(`quadratic.matrix[${r}]: expected ${dim} entries (a square matrix), got ${row.length}`);
      row.forEach((a, c) => (A![r * dim + c] = a));
    });
    for (let r = 0; r < dim; r++) {
      for (let c = 0; c < r; c++) {
        const a = A[r * dim + c];
        const t = A[c * dim + r];
        if (Math.abs(a - t) > 1e-12 * Math.max(1, Math.abs(a), Math.abs(t))) throw new ConfigError(`quadratic.matrix: must be symmetric; [${r}][${c}] = ${a} but [${c}][${r}] = ${t}`);
      }
    }
  }
  const diag = o.diag ? Float64Array.from(o.diag) : null;
  const b = new Float64Array(dim);
  if (o.b) {
    if (o.b.length !== dim) throw new ConfigError(`quadratic.b: expected length ${dim}, got ${o.b.length}`);
    b.set(o.b);
  }
  let theta0: Float32Array;
  if (typeof o.theta0 === 'number') theta0 = new Float32Array(dim).fill(o.theta0);
  else if (o.theta0.length === dim) theta0 = Float32Array.from(o.theta0);
  else throw new ConfigError(`quadratic.theta0: expected a number or a vector of length ${dim}, got length ${o.theta0.length}`);

  const g = new Float32Array(dim);
  // Aθ of the latest value() call; gradient() reads it right after (no await in between).
  const ag = new Float64Array(dim);
  /** Computes Aθ into ag and returns f(θ). */
  const value = (theta: Float32Array): number => {
    let f = o.c;
    for (let r = 0; r < dim; r++) {
      let s = 0;
      if (diag) s = diag[r] * theta[r];
      else for (let c = 0; c < dim; c++) s += A![r * dim + c] * theta[c];
      ag[r] = s;
      f += 0.5 * theta[r] * s - b[r] * theta[r];
    }
    return f;
  };
  const shape = diag ? 'diag' : 'dense';
  return createObjectiveOracle({
    dim,
    init: theta0,
    gradient(theta) {
      const loss = value(theta);
      for (let j = 0; j < dim; j++) g[j] = ag[j] - b[j];
      return { loss, g };
    },
    loss: value,
    noise: o.noise > 0 ? { std: o.noise, seed: o.seed } : undefined,
    trainSize: o.trainSize,
    description: `quadratic(D=${dim}, ${shape} A${o.noise > 0 ? `, noise sd ${o.noise}` : ''})`,
  });
}
