import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import gamma from '@stdlib/random-base-gamma';
import normal from '@stdlib/random-base-normal';

/**
 * One seeded stream of random numbers. Every random choice in stalelab (initial weights,
 * minibatch order, compute times) draws from an Rng derived from the run's seed, so the same seed
 * gives the same tables.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** Gamma with the given shape and *mean* (scale = mean / shape). */
  gamma(shape: number, mean: number): number;
  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** An independent child stream, e.g. one per worker; same (seed, label) ⇒ same stream. */
  fork(label: number): Rng;
}

const SEED_MASK = 0x7fffffff;

/** Mix two integers into a 31-bit seed (splitmix-style), so forks of nearby seeds differ. */
export function mixSeed(seed: number, label: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(label | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) & SEED_MASK) || 1;
}

export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seed}`);
  // xoroshiro's first outputs for small seeds are poor: scramble the seed first.
  const gen = xoroshiro128plus(mixSeed(seed, 0));
  // stdlib's samplers carry their own seeded generator; seed them from this stream.
  const gammaRand = gamma.factory({ seed: mixSeed(seed, 1) });
  const normalRand = normal.factory(0, 1, { seed: mixSeed(seed, 2) });
  const rng: Rng = {
    uniform: () => uniformFloat64(gen),
    int: (n) => uniformInt(gen, 0, n - 1),
    normal: () => normalRand(),
    // stdlib parameterises gamma by shape and *rate*.
    gamma: (shape, mean) => gammaRand(shape, shape / mean),
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) {
        const j = uniformInt(gen, 0, i);
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    },
    fork: (label) => makeRng(mixSeed(seed, label + 1000)),
  };
  return rng;
}
