import { z } from 'zod';
import { delayCompensate, gapToTheta } from '../bases/thetaOps.ts';
import type { TransformDef } from '../ruleTypes.ts';

const params = z
  .object({
    /** λ of the constant form. */
    lambda: z.number().min(0).finite().default(0.04),
    /** The adaptive form λ_t = λ₀/√(ms + ε) instead of a constant λ. */
    adaptive: z.boolean().default(false),
    lambda0: z.number().min(0).finite().default(2),
    msDecay: z.number().min(0).lt(1).default(0.95),
    epsilon: z.number().positive().finite().default(1e-7),
    /**
     * Δ = 'gap': the base's gap (for DANA, between look-ahead points: θ̂_now − x_i); 'master': the
     * master's θ − x_i, as the DANA-DC authors' code measures it. The same for non-look-ahead bases.
     */
    against: z.enum(['gap', 'master']).default('gap'),
  })
  .strict();

interface DcState {
  ms: Float32Array;
  /** Scratch for Δ = θ − x_i (against 'master'). */
  delta: Float32Array;
}

function masterMinusX(st: DcState, master: Float32Array, x: Float32Array): Float32Array {
  gapToTheta(master, x, st.delta);
  return st.delta;
}

/**
 * DC-ASGD's Taylor correction: g ← g + λ_t g⊙g⊙Δ, with Δ = (parameters now) − (parameters the
 * gradient was computed on) (for DANA-DC, between look-ahead points). Constant λ_t = λ, or
 * adaptive per coordinate: ms ← d·ms + (1 − d)·g², λ_t = λ₀/√(ms + ε), ms updated first with this
 * gradient (assumption). It divides nothing, so it logs no divisor.
 */
export const delayCompensationTransform: TransformDef<z.output<typeof params>, DcState> = {
  name: 'delay-compensation',
  params,
  description: 'g ← g + λ_t g⊙g⊙Δ, λ_t = λ or adaptive λ₀/√(ms + ε)',
  needsGap: true,
  stalenessOnly: true,
  // Δ's scratch is this rule instance's own memory, not state: threads must not share it.
  init: (p, env) => ({ ms: env.alloc.floats(p.adaptive ? env.dim : 0), delta: new Float32Array(p.against === 'master' ? env.dim : 0) }),
  apply(st, g, ctx, p) {
    const d = p.against === 'gap' ? ctx.gap! : masterMinusX(st, ctx.master, ctx.x);
    if (p.adaptive) delayCompensate(g, d, st.ms, 0, p.lambda0, p.msDecay, p.epsilon);
    else if (p.lambda !== 0) delayCompensate(g, d, null, p.lambda, 0, 0, 0);
  },
};
