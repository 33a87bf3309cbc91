/**
 * Step-size multipliers s(τ) that need no staleness statistics (ALGORITHMS.md §3). Each is
 * non-increasing in τ and bounded by 1; none meets Σ P(τ)s(τ) = 1, which is the ASAP.SGD point.
 */

/** Which inverse form: 1/(τ+1) as in the ASAP.SGD authors' code, or 1/max(1, τ), the usual SA form. */
export type InverseForm = 'tau-plus-one' | 'max-one-tau';

export function inverseScale(tau: number, form: InverseForm): number {
  return form === 'tau-plus-one' ? 1 / (tau + 1) : 1 / Math.max(1, tau);
}

/**
 * FLeet's β for T threads: β = (2/(T+1))·ln(1 + ⌊(T+1)/2⌋) (the authors' code divides integers
 * there, hence the floor). Then s(τ) = e^(−βτ).
 */
export function fleetBeta(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads: expected an integer ≥ 1, got ${threads}`);
  const t = threads + 1;
  return (2 / t) * Math.log(1 + Math.floor(t / 2));
}

export function fleetExponentialScale(tau: number, beta: number): number {
  return Math.exp(-beta * tau);
}
