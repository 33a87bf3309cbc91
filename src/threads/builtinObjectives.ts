import { z } from 'zod';
import { makeRng } from '../rng/rng.ts';
import type { ThreadObjective } from './threadObjective.ts';

/**
 * Objectives defined by name, so a config can cross into worker threads (functions cannot), and
 * cheap enough (no TensorFlow.js) that invariant tests start threads in a fraction of a second.
 *
 * - `constant-gradient`: f(θ) = c·Σθ_j, g ≡ c. From θ0 = `theta0` in every coordinate, a run that
 *   applies updates with steps η_k has every coordinate equal to θ0 − c·Ση_k: any unequal
 *   coordinates in a vector a thread reads are a torn read, any shortfall is a lost element update.
 *   `spinMicros` busy-waits inside the gradient (standing in for compute time); the read vector is
 *   checked before and after the spin, so a vector changed under a reader is caught too. (Under
 *   Hogwild! a lost element update leaves θ unequal for good, so from then on every read counts:
 *   there the seqlock flag, not this count, measures torn reads.)
 * - `quadratic`: f(θ) = ½Σ h_j(θ_j − 1)², h log-spaced in [hMin, hMax], plus Gaussian gradient
 *   noise of sd `noise` seeded by the minibatch index: a convex problem to compare step sizes on.
 * - `failing`: `constant-gradient` whose thread `thread` throws on its gradient number
 *   `afterGradients` (0-based): tests that an error in one worker stops them all.
 */
const dim = z.number().int().min(1).max(50_000_000);
export const builtinObjectiveSchema = z.discriminatedUnion('name', [
  z
    .object({
      name: z.literal('constant-gradient'),
      dim,
      c: z.number().finite().default(1),
      theta0: z.number().finite().default(0),
      spinMicros: z.number().min(0).max(1e6).default(0),
    })
    .strict(),
  z
    .object({
      name: z.literal('quadratic'),
      dim,
      hMin: z.number().positive().default(0.1),
      hMax: z.number().positive().default(1),
      noise: z.number().min(0).default(0),
      theta0: z.number().finite().default(0),
    })
    .strict(),
  z
    .object({
      name: z.literal('failing'),
      dim,
      thread: z.number().int().min(0),
      afterGradients: z.number().int().min(0),
    })
    .strict(),
]);
export type BuiltinObjectiveSpec = z.output<typeof builtinObjectiveSchema>;

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

function constantGradient(d: number, c: number, theta0: number, spinMicros: number, fail?: { thread: number; after: number }, thread = 0): ThreadObjective {
  const g = new Float32Array(d).fill(c);
  let computed = 0;
  const objective: ThreadObjective = {
    dim: d,
    description: `constant-gradient(D=${d}, c=${c})`,
    init: () => new Float32Array(d).fill(theta0),
    invariantViolations: 0,
    async gradient(theta) {
      if (fail && thread === fail.thread && computed === fail.after) {
        throw new Error(`failing objective: thread ${thread} throws on its gradient ${computed}, as configured`);
      }
      computed++;
      let ok = uniform(theta);
      spin(spinMicros);
      ok = ok && uniform(theta);
      if (!ok) objective.invariantViolations!++;
      let sum = 0;
      for (let j = 0; j < d; j++) sum += theta[j];
      return { loss: c * sum, g };
    },
    async evaluate(theta) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += theta[j];
      return { loss: c * sum, accuracy: null };
    },
    dispose() {},
  };
  return objective;
}

function quadratic(spec: Extract<BuiltinObjectiveSpec, { name: 'quadratic' }>, seed: number): ThreadObjective {
  const d = spec.dim;
  const h = new Float64Array(d).map((_, j) => spec.hMin * Math.pow(spec.hMax / spec.hMin, d === 1 ? 0 : j / (d - 1)));
  const loss = (theta: Float32Array): number => {
    let f = 0;
    for (let j = 0; j < d; j++) f += 0.5 * h[j] * (theta[j] - 1) ** 2;
    return f;
  };
  const g = new Float32Array(d);
  return {
    dim: d,
    description: `quadratic(D=${d}, h∈[${spec.hMin}, ${spec.hMax}], noise=${spec.noise})`,
    init: () => new Float32Array(d).fill(spec.theta0),
    async gradient(theta, batchIndex) {
      const rng = spec.noise > 0 ? makeRng(seed).fork(batchIndex) : null;
      for (let j = 0; j < d; j++) g[j] = h[j] * (theta[j] - 1) + (rng ? spec.noise * rng.normal() : 0);
      return { loss: loss(theta), g };
    },
    evaluate: async (theta) => ({ loss: loss(theta), accuracy: null }),
    dispose() {},
  };
}

/** The objective a thread (or the main thread, thread = −1) computes on. */
export function makeBuiltinObjective(spec: BuiltinObjectiveSpec, seed: number, thread: number): ThreadObjective {
  switch (spec.name) {
    case 'constant-gradient':
      return constantGradient(spec.dim, spec.c, spec.theta0, spec.spinMicros);
    case 'quadratic':
      return quadratic(spec, seed);
    case 'failing':
      return constantGradient(spec.dim, 1, 0, 0, { thread: spec.thread, after: spec.afterGradients }, thread);
  }
}
