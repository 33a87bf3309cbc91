import { z } from 'zod';
import { namedUnion } from '../config/namedUnion.ts';
import { createObjectiveOracle, quadraticObjective } from './objectiveOracle.ts';
import type { GradientOracle } from './oracle.ts';

const dim = z.number().int().min(1).max(50_000_000).default(100);
/** Samples per epoch (a convention for budgets and schedules in epochs). */
const trainSize = z.number().int().min(1).default(1000);

/**
 * Objectives a config names, for runs without data or TensorFlow.js (every engine, and other
 * threads or processes, build the same one from its spec).
 * - `quadratic`: f(θ) = ½ Σ_j h_j (θ_j − 1)², h log-spaced in [hMin, hMax] (minimum 0 at θ = 1),
 *   from θ0 = `theta0` in every coordinate, plus Gaussian gradient noise: `noise` is the sd per
 *   coordinate of a one-sample gradient, so a batch of B gets noise/√B, seeded by the run's seed,
 *   the batch stream and the batch index.
 * - `constant-gradient`: f(θ) = c·Σθ_j, g ≡ c. An update with step η_k moves every coordinate by
 *   exactly c·η_k, so unequal coordinates in a vector a worker reads are a torn read and a shortfall
 *   is a lost element update (counted in `invariantViolations`; the vector is checked before and
 *   after a busy-wait of `spinMicros`, which stands in for compute time).
 * - `failing`: constant-gradient (c = 1) whose oracle for worker `worker` throws on its gradient
 *   number `afterGradients` (0-based). In the simulator `worker` is a compute thread: 0 is the
 *   run's own oracle (which computes every gradient without compute threads, so the run throws on
 *   that gradient overall), 1…K−1 its helper threads. Tests that an error ends a run cleanly.
 */
export const BUILTIN_OBJECTIVE_SCHEMAS = {
  quadratic: z
    .object({
      name: z.literal('quadratic'),
      dim,
      hMin: z.number().positive().finite().default(0.1),
      hMax: z.number().positive().finite().default(1),
      noise: z.number().min(0).finite().default(0),
      theta0: z.number().finite().default(0),
      trainSize,
    })
    .strict()
    .refine((o) => o.hMax >= o.hMin, { message: 'hMax must be ≥ hMin', path: ['hMax'] }),
  'constant-gradient': z
    .object({
      name: z.literal('constant-gradient'),
      dim,
      c: z.number().finite().default(1),
      theta0: z.number().finite().default(0),
      spinMicros: z.number().min(0).max(1e6).default(0),
      trainSize,
    })
    .strict(),
  failing: z
    .object({
      name: z.literal('failing'),
      dim,
      worker: z.number().int().min(0).default(0),
      afterGradients: z.number().int().min(0),
      trainSize,
    })
    .strict(),
};

export const builtinObjectiveSchema = namedUnion('name', BUILTIN_OBJECTIVE_SCHEMAS, { bareName: true, what: 'a built-in objective' });
export type BuiltinObjectiveInput = Exclude<z.input<typeof builtinObjectiveSchema>, string>;
export type BuiltinObjective = z.output<typeof builtinObjectiveSchema>;

function spin(micros: number): void {
  if (micros <= 0) return;
  const end = performance.now() + micros / 1000;
  while (performance.now() < end);
}

function uniform(theta: Float32Array): boolean {
  const first = theta[0];
  for (let j = 1; j < theta.length; j++) if (theta[j] !== first) return false;
  return true;
}

function constantGradient(
  spec: { dim: number; c: number; theta0: number; spinMicros: number; trainSize: number },
  fail: { after: number } | null,
  description: string,
): GradientOracle {
  const { dim: d, c } = spec;
  let computed = 0;
  let violations = 0;
  const sum = (theta: Float32Array): number => {
    let s = 0;
    for (let j = 0; j < d; j++) s += theta[j];
    return s;
  };
  const base = createObjectiveOracle({
    dim: d,
    init: () => new Float32Array(d).fill(spec.theta0),
    gradient(theta) {
      if (fail && computed === fail.after) throw new Error(`failing objective: throws on gradient ${computed}, as configured`);
      computed++;
      let ok = uniform(theta);
      spin(spec.spinMicros);
      ok = ok && uniform(theta);
      if (!ok) violations++;
      return { loss: c * sum(theta), g: new Float32Array(d).fill(c) };
    },
    loss: (theta) => c * sum(theta),
    trainSize: spec.trainSize,
    description,
  });
  return Object.defineProperty(base, 'invariantViolations', { get: () => violations, enumerable: true });
}

/**
 * The oracle of a built-in objective. `seed` is the run's seed (it seeds the quadratic's noise);
 * `worker` is the worker thread or process this oracle computes for (−1: one oracle for all).
 */
export function builtinObjectiveOracle(spec: BuiltinObjective, seed: number, worker = -1): GradientOracle {
  switch (spec.name) {
    case 'quadratic': {
      const d = spec.dim;
      const h = Array.from({ length: d }, (_, j) => spec.hMin * Math.pow(spec.hMax / spec.hMin, d === 1 ? 0 : j / (d - 1)));
      return quadraticObjective({
        diag: h,
        b: h,
        c: 0.5 * h.reduce((a, x) => a + x, 0),
        theta0: spec.theta0,
        noise: spec.noise,
        seed,
        trainSize: spec.trainSize,
      });
    }
    case 'constant-gradient':
      return constantGradient(spec, null, `constant-gradient(D=${spec.dim}, c=${spec.c})`);
    case 'failing': {
      // The run's own oracle (−1) is the simulator's compute thread 0.
      const fails = worker === spec.worker || (worker < 0 && spec.worker === 0);
      return constantGradient({ dim: spec.dim, c: 1, theta0: 0, spinMicros: 0, trainSize: spec.trainSize }, fails ? { after: spec.afterGradients } : null, `failing(D=${spec.dim}, worker ${spec.worker} after ${spec.afterGradients})`);
    }
  }
}
