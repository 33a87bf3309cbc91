import type { StalenessDistribution } from './stalenessDistribution.ts';

/**
 * Which empirical CDF TAIL-τ uses: `strict` F̂(τ) = P̂(τ' < τ) as in the authors' code (then
 * E[s] = 1 + A·Σp̂², slightly above 1), `mid` F̂(τ) = P̂(τ' < τ) + ½P̂(τ' = τ) (E[s] = 1 exactly).
 */
export type TailCdf = 'strict' | 'mid';

/** F̂(τ) for τ = 0..maxTau under the chosen variant, from counts so that sums of integer counts are exact. */
export function tailCdf(dist: StalenessDistribution, variant: TailCdf): Float64Array {
  const f = new Float64Array(dist.maxTau + 1);
  let below = 0;
  for (let t = 0; t <= dist.maxTau; t++) {
    const c = variant === 'strict' ? below : below + 0.5 * dist.counts[t];
    // Float sums of weighted counts can overshoot the total by an ulp; s must stay ≥ 1 − A.
    f[t] = Math.min(1, c / dist.total);
    below += dist.counts[t];
  }
  return f;
}

/**
 * TAIL-τ: s(τ) = 1 + A·(1 − 2F̂(τ)) for τ = 0..maxTau. With A = 1 this is twice the empirical
 * tail: the freshest updates get up to 2α, updates staler than any seen get 1 − A.
 */
export function tailTauScales(dist: StalenessDistribution, amplitude: number, variant: TailCdf): Float64Array {
  if (!(amplitude >= 0 && amplitude <= 1)) throw new RangeError(`amplitude: expected a number in [0, 1], got ${amplitude}`);
  return tailCdf(dist, variant).map((f) => 1 + amplitude * (1 - 2 * f));
}
