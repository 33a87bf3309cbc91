import { clampTau, type StalenessDistribution } from './stalenessDistribution.ts';
import { fleetBeta, fleetExponentialScale, inverseScale } from './staticStepSizes.ts';
import { normalisedExponentialScales } from './normalisedExponential.ts';
import { tailTauScales } from './tailTau.ts';
import { meanStaleness, polynomialScale } from './polynomialWeight.ts';
import { isMeasured, type MeasuredStepSizeSpec, type StepSizeSpec } from './stepSizeSpec.ts';

/** s(τ) for τ = 0..maxTau of a kind derived from the measured distribution. */
export function measuredScales(spec: MeasuredStepSizeSpec, dist: StalenessDistribution): Float64Array {
  switch (spec.kind) {
    case 'tail-tau':
      return tailTauScales(dist, spec.amplitude, spec.cdf);
    case 'normalised-exponential':
      return normalisedExponentialScales(dist, spec.c);
    case 'polynomial': {
      const mean = spec.meanStaleness ?? meanStaleness(dist);
      return Float64Array.from({ length: dist.maxTau + 1 }, (_, t) => polynomialScale(t, spec.exponent, mean));
    }
  }
}

/**
 * s(τ) of a validated spec as a function of τ. Static kinds need only the parallelism T (FLeet);
 * measured kinds need the distribution they are derived from, and clamp τ to its maxTau.
 */
export function stepSizeFunction(spec: StepSizeSpec, threads: number, dist: StalenessDistribution | null): (tau: number) => number {
  const check = (tau: number): number => clampTau(tau, Number.MAX_SAFE_INTEGER);
  if (spec.kind === 'polynomial' && spec.meanStaleness !== undefined) {
    const { exponent, meanStaleness: mean } = spec;
    return (tau) => polynomialScale(check(tau), exponent, mean);
  }
  if (isMeasured(spec)) {
    if (!dist) throw new Error(`step size "${spec.kind}" needs a staleness distribution`);
    const s = measuredScales(spec, dist);
    return (tau) => s[clampTau(tau, dist.maxTau)];
  }
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
