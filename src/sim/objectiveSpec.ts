import { z } from 'zod';
import { quadraticObjective } from '../oracle/objectiveOracle.ts';
import type { GradientOracle } from '../oracle/oracle.ts';

/**
 * Objectives a config (or a JSON grid file) can name, for runs without data or TensorFlow.js.
 * `quadratic`: f(θ) = ½ Σ_j h_j (θ_j − 1)², h log-spaced in [hMin, hMax] (minimum 0 at θ = 1), from
 * θ0 = `theta0` in every coordinate, plus Gaussian gradient noise of sd `noiseStd`/√B per coordinate.
 * `trainSize` is the samples per epoch (a convention for schedules in epochs).
 */
export const BUILTIN_OBJECTIVE_SCHEMAS = {
  quadratic: z
    .object({
      name: z.literal('quadratic'),
      dim: z.number().int().min(1).max(10_000_000),
      hMin: z.number().positive().finite().default(0.1),
      hMax: z.number().positive().finite().default(1),
      noiseStd: z.number().min(0).finite().default(0),
      theta0: z.number().finite().default(0),
      trainSize: z.number().int().min(1).default(1000),
    })
    .strict()
    .refine((o) => o.hMax >= o.hMin, { message: 'hMax must be ≥ hMin', path: ['hMax'] }),
};

export const builtinObjectiveSchema = z.discriminatedUnion('name', [BUILTIN_OBJECTIVE_SCHEMAS.quadratic]);

export type BuiltinObjectiveInput = z.input<typeof builtinObjectiveSchema>;
export type BuiltinObjective = z.output<typeof builtinObjectiveSchema>;

/** The oracle of a named objective; the run's seed seeds its gradient noise. */
export function builtinObjectiveOracle(spec: BuiltinObjective, seed: number): GradientOracle {
  const d = spec.dim;
  const h = Array.from({ length: d }, (_, j) => spec.hMin * Math.pow(spec.hMax / spec.hMin, d === 1 ? 0 : j / (d - 1)));
  return quadraticObjective({
    diag: h,
    b: h,
    c: 0.5 * h.reduce((a, x) => a + x, 0),
    theta0: spec.theta0,
    noiseStd: spec.noiseStd,
    seed,
    trainSize: spec.trainSize,
  });
}
