import { NO_DIVISOR, type Penalty } from './penalty.ts';

export interface DelayCompensationState {
  adaptive: boolean;
  /** λ of the constant form. */
  lambda: number;
  /** λ₀ of the adaptive form λ_t = λ₀/√(ms + ε). */
  lambda0: number;
  msDecay: number;
  epsilon: number;
  /** ms_j, the running mean of g_j² (adaptive form only; empty otherwise). */
  ms: Float32Array;
}

/**
 * DC-ASGD's Taylor correction: g ← g + λ_t g⊙g⊙Δ, with Δ = (parameters now) − (parameters the
 * gradient was computed on) (for DANA-DC, between look-ahead points). Constant λ_t = λ, or
 * adaptive per coordinate: ms ← d·ms + (1 − d)·g², λ_t = λ₀/√(ms + ε), ms updated first with this
 * gradient (assumption). The gradient includes weight decay (added before any penalty). It divides
 * nothing, so the logged divisor is 1.
 */
export const delayCompensation: Penalty<DelayCompensationState> = {
  needsGap: true,
  params: ['dcLambda', 'dcAdaptive', 'dcLambda0', 'dcMsDecay', 'dcEpsilon'],
  init: (dim, p) => ({
    adaptive: p.dcAdaptive,
    lambda: p.dcLambda,
    lambda0: p.dcLambda0,
    msDecay: p.dcMsDecay,
    epsilon: p.dcEpsilon,
    ms: new Float32Array(p.dcAdaptive ? dim : 0),
  }),
  apply(st, g, { gap }) {
    const d = gap!;
    if (st.adaptive) {
      const { ms, msDecay, lambda0, epsilon } = st;
      for (let j = 0; j < g.length; j++) {
        const gj = g[j];
        const m = (ms[j] = msDecay * ms[j] + (1 - msDecay) * gj * gj);
        g[j] = gj + (lambda0 / Math.sqrt(m + epsilon)) * gj * gj * d[j];
      }
    } else if (st.lambda !== 0) {
      const lambda = st.lambda;
      for (let j = 0; j < g.length; j++) {
        const gj = g[j];
        g[j] = gj + lambda * gj * gj * d[j];
      }
    }
    return NO_DIVISOR;
  },
};
