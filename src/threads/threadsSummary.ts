import type { ColumnTable } from 'arquero';
import type { BuiltinObjectiveSpec } from './builtinObjectives.ts';

export interface StalenessSummary {
  staleness_mean: number | null;
  staleness_p50: number | null;
  staleness_p90: number | null;
  staleness_max: number | null;
}

/** Mean, median, 90th percentile (nearest rank) and max of the staleness column. */
export function summariseStaleness(updates: ColumnTable): StalenessSummary {
  const taus = Float64Array.from(updates.array('staleness') as ArrayLike<number>).sort();
  const n = taus.length;
  if (n === 0) return { staleness_mean: null, staleness_p50: null, staleness_p90: null, staleness_max: null };
  const rank = (q: number): number => taus[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  return { staleness_mean: taus.reduce((a, t) => a + t, 0) / n, staleness_p50: rank(0.5), staleness_p90: rank(0.9), staleness_max: taus[n - 1] };
}

export interface InvariantSummary {
  /** max_j |θ_j − (θ0 − c·Σ_k lr_k)| over the applied updates' logged learning rates. */
  invariant_max_abs_error: number;
  /** Σ_j (expected − actual decrease of θ_j) / (c · mean lr): element updates that were overwritten. */
  lost_element_updates: number;
}

/**
 * The constant-gradient invariant on the final θ: every applied update moved every coordinate by
 * exactly c·lr_k, so anything else is a lost (or torn-in) element update. Null for other objectives.
 */
export function constantGradientInvariant(objective: BuiltinObjectiveSpec | undefined, theta: Float32Array, updates: ColumnTable): InvariantSummary | null {
  if (objective?.name !== 'constant-gradient' || updates.numRows() === 0) return null;
  const lrs = updates.array('lr') as ArrayLike<number>;
  let sumLr = 0;
  for (let i = 0; i < lrs.length; i++) sumLr += lrs[i];
  const expected = objective.theta0 - objective.c * sumLr;
  const perUpdate = objective.c * (sumLr / lrs.length);
  let maxErr = 0;
  let lost = 0;
  for (let j = 0; j < theta.length; j++) {
    const err = theta[j] - expected;
    maxErr = Math.max(maxErr, Math.abs(err));
    lost += err / perUpdate;
  }
  return { invariant_max_abs_error: maxErr, lost_element_updates: lost };
}
