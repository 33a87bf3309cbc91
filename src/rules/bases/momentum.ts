import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { momentumParam, sendsTheta, thetaFrom } from './baseState.ts';
import { momentumStep, momentumStepWithGap } from './thetaOps.ts';

export interface MomentumState {
  theta: Float32Array;
  /** One momentum buffer on the master, shared by all workers. */
  v: Float32Array;
  gamma: number;
  nesterov: boolean;
}

const params = z.object({ momentum: momentumParam, nesterov: z.boolean().default(false) }).strict();

/**
 * Heavy-ball momentum on the master, PyTorch form: send θ; v ← γv + g; then θ ← θ − η v
 * (Momentum-ASGD, SSGD), or with `nesterov` θ ← θ − η(g + γv) (NAG-ASGD).
 */
export const momentumBase: BaseDef<z.output<typeof params>, MomentumState> = {
  name: 'momentum',
  params,
  description: 'send θ; v ← γv + g; θ ← θ − η v, or θ ← θ − η(g + γv) with nesterov (one v on the master)',
  perWorker: false,
  syncable: true,
  ...sendsTheta,
  init: (theta0, p, env) => ({ theta: thetaFrom(theta0, env), v: env.alloc.floats(env.dim), gamma: p.momentum, nesterov: p.nesterov }),
  buffer: (s) => s.v,
  step: (s, _i, g, lr) => momentumStep(s.theta, s.v, g, lr, s.gamma, s.nesterov),
  stepWithGap(s, i, g, lr, x, out) {
    if (!s.nesterov) return momentumStepWithGap(s.theta, s.v, g, lr, s.gamma, x, out);
    out.gapSq = sendsTheta.gap(s, x, lr, null);
    return momentumBase.step(s, i, g, lr);
  },
};
