/**
 * An empirical staleness distribution P̂(τ) over τ = 0..maxTau. Staleness above maxTau is counted
 * at maxTau (the authors' code clamps τ to 199), so the probabilities always sum to 1.
 */
export interface StalenessDistribution {
  readonly maxTau: number;
  /** Counts per τ, length maxTau + 1. */
  readonly counts: Float64Array;
  /** P̂(τ) = counts / total, length maxTau + 1. */
  readonly p: Float64Array;
  readonly total: number;
}

/** τ as an index into a distribution: a non-negative integer, clamped to maxTau. */
export function clampTau(tau: number, maxTau: number): number {
  if (!Number.isInteger(tau) || tau < 0) throw new RangeError(`staleness: expected a non-negative integer, got ${tau}`);
  return tau > maxTau ? maxTau : tau;
}

/** A distribution from (possibly weighted) counts indexed by τ; entries past maxTau fold into maxTau. */
export function distributionFromCounts(counts: ArrayLike<number>, maxTau: number): StalenessDistribution {
  if (!Number.isInteger(maxTau) || maxTau < 0) throw new RangeError(`maxTau: expected a non-negative integer, got ${maxTau}`);
  const folded = new Float64Array(maxTau + 1);
  for (let t = 0; t < counts.length; t++) {
    const c = counts[t];
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`histogram[${t}]: expected a finite count ≥ 0, got ${c}`);
    folded[t > maxTau ? maxTau : t] += c;
  }
  let total = 0;
  for (const c of folded) total += c;
  if (!(total > 0)) throw new RangeError('histogram: no staleness observations (all counts are 0)');
  const p = folded.map((c) => c / total);
  return { maxTau, counts: folded, p, total };
}

/** A distribution from observed staleness values. */
export function distributionFromSamples(taus: Iterable<number>, maxTau: number): StalenessDistribution {
  const counts = new Float64Array(maxTau + 1);
  for (const t of taus) counts[clampTau(t, maxTau)] += 1;
  return distributionFromCounts(counts, maxTau);
}
