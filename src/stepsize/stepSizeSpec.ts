import { z } from 'zod';
import { namedUnion } from '../config/namedUnion.ts';

/**
 * How P̂(τ) is refreshed after the warm-up freeze (off by default, as in the authors' code).
 * `sliding`: every `every` updates, rebuild from the last `window` staleness values.
 * `decayed`: every `every` updates, rebuild with weights 2^(−age/halfLife) over the last
 * ⌈10·halfLife⌉ values (weights beyond that are below 2^−10 and are left out).
 */
const refreshSchema = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('sliding'), window: z.number().int().min(1).max(1_000_000), every: z.number().int().min(1) }).strict(),
    z.object({ mode: z.literal('decayed'), halfLife: z.number().positive().max(100_000), every: z.number().int().min(1) }).strict(),
  ])
  .nullable()
  .default(null);

/**
 * Fields shared by the kinds that derive s(τ) from the measured staleness distribution: s ≡ 1
 * until update `warmupEnd`·T; P̂ is built from the τ of updates `warmupStart`·T … `warmupEnd`·T − 1
 * and then frozen (the authors' code: 10T and 15T). τ is clamped to `maxTau` (default 199).
 */
const measuredFields = {
  maxTau: z.number().int().min(1).max(100_000).default(199),
  warmupStart: z.number().int().min(0).default(10),
  warmupEnd: z.number().int().min(1).default(15),
  refresh: refreshSchema,
};

const warmupOrdered = {
  check: (o: { warmupStart: number; warmupEnd: number }) => o.warmupEnd > o.warmupStart,
  message: { message: 'warmupEnd must be greater than warmupStart (both count updates per thread)', path: ['warmupEnd'] },
};

/**
 * A staleness-adaptive step size α(τ) = α·s(τ) (ALGORITHMS.md §3), one object per kind:
 * - `constant`: s = 1.
 * - `inverse`: s = 1/(τ+1) (`form: 'tau-plus-one'`, the authors' code, default) or 1/max(1, τ)
 *   (`form: 'max-one-tau'`, the usual SA form).
 * - `fleet-exponential`: s = e^(−βτ), β = (2/(T+1))·ln(1 + ⌊(T+1)/2⌋), T the parallelism.
 * - `normalised-exponential` (assumption, MindTheStep-style): s = c^(−τ)/E_P̂[c^(−τ)], c > 1 required.
 * - `tail-tau`: s = 1 + A·(1 − 2F̂(τ)), `amplitude` A ∈ [0, 1] (default 1), `cdf` 'mid' (default,
 *   meets Σ P̂ s = 1) or 'strict' (the authors' code).
 * - `polynomial` (FLSim's PolynomialStalenessWeight): s = ((1 + τ̄)/(1 + τ))^a, `exponent` a ∈ [0, 1],
 *   so s = 1 at τ = τ̄. τ̄ is `meanStaleness` when given (FLSim's avg_staleness: then a static
 *   kind), else the mean of the measured warm-up window's P̂.
 */
export const STEP_SIZE_SCHEMAS = {
  constant: z.object({ kind: z.literal('constant') }).strict(),
  inverse: z.object({ kind: z.literal('inverse'), form: z.enum(['tau-plus-one', 'max-one-tau']).default('tau-plus-one') }).strict(),
  'fleet-exponential': z.object({ kind: z.literal('fleet-exponential') }).strict(),
  'normalised-exponential': z
    .object({ kind: z.literal('normalised-exponential'), c: z.number().gt(1).max(1e6), ...measuredFields })
    .strict()
    .refine(warmupOrdered.check, warmupOrdered.message),
  'tail-tau': z
    .object({
      kind: z.literal('tail-tau'),
      amplitude: z.number().min(0).max(1).default(1),
      cdf: z.enum(['mid', 'strict']).default('mid'),
      ...measuredFields,
    })
    .strict()
    .refine(warmupOrdered.check, warmupOrdered.message),
  polynomial: z
    .object({
      kind: z.literal('polynomial'),
      // FLSim requires the exponent; 0.5 (square root) is this project's default.
      exponent: z.number().min(0).max(1).default(0.5),
      meanStaleness: z.number().min(0).finite().optional(),
      ...measuredFields,
    })
    .strict()
    .refine(warmupOrdered.check, warmupOrdered.message),
};

/** A step-size spec: a kind ("tail-tau", with its defaults) or an object with a `kind`. */
export const stepSizeSpecSchema = namedUnion('kind', STEP_SIZE_SCHEMAS, { bareName: true, what: 'a step size' });
export const STEP_SIZE_KINDS = Object.keys(STEP_SIZE_SCHEMAS) as (keyof typeof STEP_SIZE_SCHEMAS)[];

/** A validated step-size spec (defaults filled in). */
export type StepSizeSpec = z.output<typeof stepSizeSpecSchema>;
/** A step-size spec as a user writes it (fields with defaults may be left out). */
export type StepSizeSpecInput = Exclude<z.input<typeof stepSizeSpecSchema>, string>;
export type StepSizeKind = StepSizeSpec['kind'];
export type MeasuredStepSizeSpec = Extract<StepSizeSpec, { kind: 'tail-tau' | 'normalised-exponential' | 'polynomial' }>;

/** Whether s(τ) is derived from the measured staleness distribution (and so needs a warm-up). */
export function isMeasured(spec: StepSizeSpec): spec is MeasuredStepSizeSpec {
  return spec.kind === 'tail-tau' || spec.kind === 'normalised-exponential' || (spec.kind === 'polynomial' && spec.meanStaleness === undefined);
}
