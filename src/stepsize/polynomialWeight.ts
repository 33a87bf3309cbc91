import type { StalenessDistribution } from './stalenessDistribution.ts';

/**
 * FLSim's polynomial staleness weight, normalised at the mean staleness τ̄:
 * s(τ) = (1 + τ)^(−a) / (1 + τ̄)^(−a), so an update of average staleness keeps the base step.
 * Unlike TAIL-τ it does not preserve the average step (Σ P(τ)s(τ) = 1 holds only for a = 0),
 * since s is convex in τ: by Jensen the average is ≥ 1.
 */
export function polynomialScale(tau: number, exponent: number, mean: number): number {
  return Math.pow((1 + mean) / (1 + tau), exponent);
}

/** E[τ] under a measured distribution. */
export function meanStaleness(dist: StalenessDistribution): number {
  let m = 0;
  for (let t = 0; t <= dist.maxTau; t++) m += t * dist.p[t];
  return m;
}
