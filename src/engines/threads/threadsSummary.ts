import type { BuiltinObjective } from '../../oracle/builtinObjectives.ts';
import type { RuleSpec } from '../../rules/ruleSpec.ts';

export interface InvariantSummary {
  /** max_j |θ_j − (θ0 − c·Σ_k lr_k)| over the applied updates' learning rates. */
  invariant_max_abs_error: number;
  /** Σ_j (expected − actual decrease of θ_j) / (c · mean lr): element updates that were overwritten. */
  lost_element_updates: number;
}

/**
 * The constant-gradient invariant on the final θ under plain SGD (with at most a staleness step
 * size): every applied update moved every coordinate by exactly c·lr_k, so anything else is a lost
 * (or torn-in) element update. Null for other objectives and rules.
 */
export function constantGradientInvariant(objective: BuiltinObjective | undefined, rule: RuleSpec, theta: Float32Array, applied: number, sumLr: number): InvariantSummary | null {
  const plainSgd = rule.base.name === 'sgd' && rule.transforms.every((t) => t.name === 'staleness-step');
  if (objective?.name !== 'constant-gradient' || !plainSgd || applied === 0) return null;
  const expected = objective.theta0 - objective.c * sumLr;
  const perUpdate = objective.c * (sumLr / applied);
  let maxErr = 0;
  let lost = 0;
  for (let j = 0; j < theta.length; j++) {
    const err = theta[j] - expected;
    maxErr = Math.max(maxErr, Math.abs(err));
    lost += err / perUpdate;
  }
  return { invariant_max_abs_error: maxErr, lost_element_updates: lost };
}
