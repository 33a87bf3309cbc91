import { z } from 'zod';
import { namedUnion } from '../../config/namedUnion.ts';

/**
 * How long workers' jobs take (ALGORITHMS.md §1). Every worker is always busy: it starts a job at
 * time 0 and a new one the moment its gradient is applied (communication is free).
 * - `gamma`: job k of worker i takes Gamma(shape, scale m_i/shape), mean m_i, CV 1/√shape.
 *   `heterogeneity`: 'homogeneous' (m_i = 1, default), 'uniform' (m_i ~ U(range), range default
 *   [0.5, 1.5], seeded) or 'given' (m_i = means[i], one per worker). `meanTime` sets the unit of
 *   simulated time: jobs take meanTime·m_i on average (the authors' simulator: shape 100 and scale
 *   B/100, i.e. meanTime = B). It changes sim_time only, never the order of arrivals.
 * - `round-robin`: workers finish in the order 0, 1, …, N−1, 0, … at times 1/N, 2/N, …; after the
 *   first N updates every staleness is exactly N − 1.
 * - `schedule`: workers finish in the listed order (worker ids), one per unit of time; `repeat`
 *   cycles the list, otherwise the run may not be longer than it.
 */
const gammaSchema = z
    .object({
      kind: z.literal('gamma'),
      shape: z.number().positive().finite().default(4),
      meanTime: z.number().positive().finite().default(1),
      heterogeneity: z.enum(['homogeneous', 'uniform', 'given']).default('homogeneous'),
      range: z.tuple([z.number().positive().finite(), z.number().positive().finite()]).optional(),
      means: z.array(z.number().positive().finite()).min(1).optional(),
    })
    .strict()
    .superRefine((t, ctx) => {
      if (t.range !== undefined && t.heterogeneity !== 'uniform') {
        ctx.addIssue({ code: 'custom', path: ['range'], message: `applies only to heterogeneity "uniform" (got "${t.heterogeneity}")` });
      }
      if (t.range !== undefined && !(t.range[0] <= t.range[1])) {
        ctx.addIssue({ code: 'custom', path: ['range'], message: `expected [low, high] with low ≤ high, got [${t.range.join(', ')}]` });
      }
      if (t.means !== undefined && t.heterogeneity !== 'given') {
        ctx.addIssue({ code: 'custom', path: ['means'], message: `applies only to heterogeneity "given" (got "${t.heterogeneity}")` });
      }
      if (t.means === undefined && t.heterogeneity === 'given') {
        ctx.addIssue({ code: 'custom', path: ['means'], message: 'required with heterogeneity "given": one mean job time per worker' });
      }
    });

/** One strict schema per timing kind (to validate a spec against its own kind's fields). */
export const TIMING_SCHEMAS = {
  gamma: gammaSchema,
  'round-robin': z.object({ kind: z.literal('round-robin') }).strict(),
  schedule: z
    .object({
      kind: z.literal('schedule'),
      order: z.array(z.number().int().min(0)).min(1),
      repeat: z.boolean().default(false),
    })
    .strict(),
};

export const timingSchema = namedUnion('kind', TIMING_SCHEMAS, { bareName: true, what: 'a timing model' });

export type TimingInput = Exclude<z.input<typeof timingSchema>, string>;
export type TimingSpec = z.output<typeof timingSchema>;
export const DEFAULT_UNIFORM_RANGE: readonly [number, number] = [0.5, 1.5];
