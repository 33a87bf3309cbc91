import type { StalenessDistribution } from './stalenessDistribution.ts';

/**
 * MindTheStep-style exponential (an assumption, ALGORITHMS.md §3): s(τ) = c^(−τ) / E_P[c^(−τ)],
 * c > 1, for τ = 0..maxTau. Dividing by the expectation under the measured P makes Σ P(τ)s(τ) = 1.
 * Computed in log space so large τ or c cannot underflow the normaliser to 0.
 */
export function normalisedExponentialScales(dist: StalenessDistribution, c: number): Float64Array {
  if (!(c > 1) || !Number.isFinite(c)) throw new RangeError(`c: expected a finite number > 1, got ${c}`);
  const logC = Math.log(c);
  // E_P[c^(−τ)] = c^(−τmin) · Σ P(τ) c^(−(τ−τmin)), with τmin the smallest observed τ.
  let tauMin = 0;
  while (dist.p[tauMin] === 0) tauMin++;
  let z = 0;
  for (let t = tauMin; t <= dist.maxTau; t++) z += dist.p[t] * Math.exp(-(t - tauMin) * logC);
  const s = new Float64Array(dist.maxTau + 1);
  for (let t = 0; t <= dist.maxTau; t++) s[t] = Math.exp(-(t - tauMin) * logC) / z;
  return s;
}
