import type { ResolvedRuleParams, RuleParamName } from './ruleParams.ts';

/** What a penalty sees of the update in flight. */
export interface PenaltyContext {
  /** Staleness τ of the gradient. */
  tau: number;
  /** The schedule's learning rate for this update. */
  lr: number;
  /** Δ = (what a send would return now) − x_i; filled in only when some penalty needs it. */
  gap: Float32Array | null;
  /** The momentum buffer the base will step with (GA's statistic), or null without momentum. */
  buffer: Float32Array | null;
}

/** Mean and max over coordinates of the divisor a penalty applied (1 where it divides nothing). */
export interface PenaltyStats {
  mean: number;
  max: number;
}

/**
 * A gradient transformation applied at the master before the base step (ALGORITHMS.md §2):
 * state is plain data, `apply` rewrites g in place.
 */
export interface Penalty<S extends object> {
  /** Whether `apply` reads ctx.gap (so the engine computes Δ into a buffer). */
  readonly needsGap: boolean;
  readonly params: readonly RuleParamName[];
  init(dim: number, params: ResolvedRuleParams): S;
  apply(state: S, g: Float32Array, ctx: PenaltyContext): PenaltyStats;
}

export const NO_DIVISOR: PenaltyStats = Object.freeze({ mean: 1, max: 1 });
