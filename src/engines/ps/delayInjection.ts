import { z } from 'zod';
import { namedUnion } from '../../config/namedUnion.ts';
import { makeRng, mixSeed } from '../../rng/rng.ts';

/**
 * Extra time a worker waits before pushing each gradient, to emulate a non-dedicated cloud
 * machine on this one (recorded in the config, seeded per worker):
 * - `none` (default);
 * - `constant`: `ms` milliseconds every time;
 * - `gamma`: Gamma(`shape`) milliseconds with mean `meanMs` (CV 1/√shape), drawn per gradient.
 */
export const DELAY_SCHEMAS = {
  none: z.object({ kind: z.literal('none') }).strict(),
  constant: z.object({ kind: z.literal('constant'), ms: z.number().min(0).max(3_600_000) }).strict(),
  gamma: z
    .object({
      kind: z.literal('gamma'),
      shape: z.number().positive().finite().default(2),
      meanMs: z.number().positive().max(3_600_000),
    })
    .strict(),
};

export const delaySchema = namedUnion('kind', DELAY_SCHEMAS, { bareName: true, what: 'a delay model' });
export type DelaySpec = z.output<typeof delaySchema>;

/** One slow worker: its compute time is multiplied by `factor` (it waits (factor − 1) × its compute time). */
export const stragglerSchema = z
  .object({
    worker: z.number().int().min(0),
    factor: z.number().min(1).max(1000),
  })
  .strict();
export type StragglerSpec = z.output<typeof stragglerSchema>;

/** The seed stream of worker slot i's delays (the engines' batch stream is 7001, the simulator's timing 7002). */
const DELAY_STREAM = 7003;

/**
 * The injected delay of worker slot `slot`: milliseconds to wait after a gradient that took
 * `computeSec` to compute. The same seed and slot give the same sequence of delays.
 */
export function makeDelay(delay: DelaySpec, straggler: StragglerSpec | null, seed: number, slot: number): (computeSec: number) => number {
  const rng = makeRng(mixSeed(seed, DELAY_STREAM)).fork(slot);
  const slowdown = straggler && straggler.worker === slot ? straggler.factor - 1 : 0;
  return (computeSec) => {
    const stretch = slowdown * computeSec * 1000;
    switch (delay.kind) {
      case 'none':
        return stretch;
      case 'constant':
        return stretch + delay.ms;
      case 'gamma':
        return stretch + rng.gamma(delay.shape, delay.meanMs);
    }
  };
}
