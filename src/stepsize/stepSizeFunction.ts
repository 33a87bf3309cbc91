import { clampTau, type StalenessDistribution } from './stalenessDistribution.ts';
import { fleetBeta, fleetExponentialScale, inverseScale } from './staticStepSizes.ts';
import { normalisedExponentialScales } from './normalisedExponential.ts';
import { tailTauScales } from './tailTau.ts';
import { isMeasured, type MeasuredStepSizeSpec, type StepSizeSpec } from './stepSizeSpec.ts';

/** s(τ) for τ = 0..maxTau of a kind derived from the measured distribution. */
export function measuredScales(spec: MeasuredStepSizeSpec, dist: StalenessDistribution): Float64Array {
  return spec.kind === 'tail-tau'
    ? tailTauScales(dist, spec.amplitude, spec.cdf)
    : normalisedExponentialScales(dist, spec.c);
}

/**
 * s(τ) of a validated spec as a function of τ. Static kinds need only the parallelism T (FLeet);
 * measured kinds need the distribution they are derived from, and clamp τ to its maxTau.
 */
export function stepSizeFunction(spec: StepSizeSpec, threads: number, dist: StalenessDistribution | null): (tau: number) => number {
  if (isMeasured(spec)) {
    if (!dist) throw new Error(`step size "${spec.kind}" needs a staleness distribution`);
    const s = measuredScales(spec, dist);
    return (tau) => s[clampTau(tau, dist.maxTau)];
  }
  const check = (tau: number): number => clampTau(tau, Number.MAX_SAFE_INTEGER);
  switch (spec.kind) {
    case 'constant':
      return (tau) => (check(tau), 1);
    case 'inverse':
      return (tau) => inverseScale(check(tau), spec.form);
    case 'fleet-exponential': {
      const beta = fleetBeta(threads);
      return (tau) => fleetExponentialScale(check(tau), beta);
    }
  }
}
