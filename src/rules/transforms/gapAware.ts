import { z } from 'zod';
import { gapAwarePenalty } from '../bases/thetaOps.ts';
import type { TransformDef } from '../ruleTypes.ts';

export interface GapAwareState {
  /** s_j: running mean of u_j² (u = momentum buffer, or g without momentum). */
  s: Float32Array;
  /**
   * [k, η_max]: updates seen (for the bias correction 1 − β^k) and the largest learning rate seen
   * so far (the schedule's η, before any staleness step size s(τ)); allocated, so shared by threads.
   */
  counters: Float64Array;
}

const penalty = { total: 0, max: 1 };

const params = z
  .object({
    /** β of the step-size statistic. */
    beta: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().positive().finite().default(1e-8),
  })
  .strict();

/**
 * Gap-Aware (ALGORITHMS.md §2.1), per coordinate j:
 *   s_j ← β s_j + (1−β) u_j²;  k ← k + 1
 *   C_j = η_max (√(s_j / (1 − β^k)) + ε)   ("one typical step" of this coordinate)
 *   G_j = 1 + |Δ_j| / C_j;  g_j ← g_j / G_j
 * u is the momentum buffer the base steps with *before* this update (v; v_i for per-worker
 * bases, as in the authors' pipeline code, which updates its average from the momentum buffer
 * after backward and before the optimizer step), else g itself (weight decay included).
 * Δ is the gap the base measures (between look-ahead points for DANA). With Δ = 0, G ≡ 1 exactly.
 * The penalty is skipped while η_max = 0 (k ≥ 1 whenever G is computed, since k counts this update).
 */
export const gapAwareTransform: TransformDef<z.output<typeof params>, GapAwareState> = {
  name: 'gap-aware',
  params,
  description: 'g_j ← g_j / (1 + |Δ_j| / C_j), C_j = η_max(√(ŝ_j) + ε) the typical step of coordinate j',
  needsGap: true,
  stalenessOnly: true,
  init: (_p, env) => ({ s: env.alloc.floats(env.dim), counters: env.alloc.doubles(2) }),
  apply(st, g, { lr, gap, buffer }, { beta, epsilon }) {
    const { s, counters } = st;
    const k = (counters[0] += 1);
    const lrMax = (counters[1] = Math.max(counters[1], lr));
    const u = buffer ?? g;
    if (lrMax === 0) {
      // No penalty before any step: only the statistic moves.
      for (let j = 0; j < g.length; j++) s[j] = beta * s[j] + (1 - beta) * u[j] * u[j];
      return undefined;
    }
    gapAwarePenalty(s, g, u, gap!, beta, 1 / (1 - Math.pow(beta, k)), lrMax, epsilon, penalty);
    return { divisorMean: penalty.total / g.length, divisorMax: penalty.max };
  },
};
