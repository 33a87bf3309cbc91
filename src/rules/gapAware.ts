import { NO_DIVISOR, type Penalty } from './penalty.ts';

export interface GapAwareState {
  /** s_j: running mean of u_j² (u = momentum buffer, or g without momentum). */
  s: Float32Array;
  /** Updates seen (for the bias correction 1 − β^k). */
  k: number;
  /** η_max: the largest learning rate seen so far (the schedule's η, before any staleness step size s(τ)). */
  lrMax: number;
  beta: number;
  epsilon: number;
}

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
export const gapAware: Penalty<GapAwareState> = {
  needsGap: true,
  params: ['gaBeta', 'gaEpsilon'],
  init: (dim, p) => ({ s: new Float32Array(dim), k: 0, lrMax: 0, beta: p.gaBeta, epsilon: p.gaEpsilon }),
  apply(st, g, { lr, gap, buffer }) {
    const { s, beta, epsilon } = st;
    st.k += 1;
    st.lrMax = Math.max(st.lrMax, lr);
    const u = buffer ?? g;
    const skip = st.lrMax === 0;
    const correction = 1 / (1 - Math.pow(beta, st.k));
    let total = 0;
    let max = 1;
    for (let j = 0; j < g.length; j++) {
      const sj = (s[j] = beta * s[j] + (1 - beta) * u[j] * u[j]);
      if (skip) continue;
      const c = st.lrMax * (Math.sqrt(sj * correction) + epsilon);
      const G = 1 + Math.abs(gap![j]) / c;
      g[j] /= G;
      total += G;
      if (G > max) max = G;
    }
    return skip ? NO_DIVISOR : { mean: total / g.length, max };
  },
};
