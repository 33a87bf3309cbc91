import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { parseConfig } from '../config/validate.ts';
import { distributionFromCounts, type StalenessDistribution } from './stalenessDistribution.ts';
import { stepSizeFunction } from './stepSizeFunction.ts';
import { isMeasured, stepSizeSpecSchema, type StepSizeKind, type StepSizeSpec } from './stepSizeSpec.ts';

/** The spec's fields besides `kind` (e.g. amplitude, cdf, c, form, maxTau), plus T for FLeet. */
export interface DeriveStepSizeOptions {
  threads?: number;
  [field: string]: unknown;
}

export interface DerivedStepSize {
  spec: StepSizeSpec;
  /** s(τ), the multiplier of the base step for an update of staleness τ. */
  s: (tau: number) => number;
  /** One row per τ = 0 … (largest observed τ + 1, at most maxTau): tau, count, p, cdf = P̂(τ' ≤ τ), s. */
  table: ColumnTable;
  /** Σ_τ P̂(τ)·s(τ): 1 means the average step is preserved (ASAP.SGD condition C1). */
  expectedScale: number;
  distribution: StalenessDistribution;
}

/**
 * Derive a step-size function from a staleness histogram (counts indexed by τ, or a distribution),
 * for analysis and plots: `deriveStepSize(counts, 'tail-tau', { cdf: 'strict' })`. Options are
 * validated like a run config's `stepSize`. Static kinds ignore the histogram except for the table
 * and expectedScale; 'fleet-exponential' needs `threads`.
 */
export function deriveStepSize(
  histogram: ArrayLike<number> | StalenessDistribution,
  kind: StepSizeKind,
  opts: DeriveStepSizeOptions = {},
): DerivedStepSize {
  const { threads, ...fields } = opts;
  const spec = parseConfig(stepSizeSpecSchema, { kind, ...fields }, 'stepSize');
  if (spec.kind === 'fleet-exponential' && threads === undefined) {
    throw new RangeError('deriveStepSize: "fleet-exponential" needs opts.threads (the parallelism T)');
  }
  const counts = 'counts' in histogram ? histogram.counts : histogram;
  const maxTau = isMeasured(spec) ? spec.maxTau : Math.max(0, counts.length - 1);
  const distribution = distributionFromCounts(counts, maxTau);
  const s = stepSizeFunction(spec, threads ?? 1, distribution);

  let expectedScale = 0;
  for (let t = 0; t <= maxTau; t++) expectedScale += distribution.p[t] * s(t);

  let last = maxTau;
  while (last > 0 && distribution.counts[last] === 0) last--;
  const rows = Math.min(maxTau, last + 1) + 1;
  const tau = Array.from({ length: rows }, (_, t) => t);
  let below = 0;
  const cdf = tau.map((t) => (below += distribution.p[t]));
  const table = aq.table({
    tau,
    count: tau.map((t) => distribution.counts[t]),
    p: tau.map((t) => distribution.p[t]),
    cdf,
    s: tau.map((t) => s(t)),
  });
  return { spec, s, table, expectedScale, distribution };
}
