import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { momentumParam, sendsTheta, thetaFrom } from './baseState.ts';

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
  step(s, _i, g, lr) {
    const { theta, v, gamma } = s;
    let sum = 0;
    if (s.nesterov) {
      for (let j = 0; j < theta.length; j++) {
        const vj = (v[j] = gamma * v[j] + g[j]);
        theta[j] -= lr * (g[j] + gamma * vj);
        sum += theta[j];
      }
      return sum;
    }
    for (let j = 0; j < theta.length; j++) {
      v[j] = gamma * v[j] + g[j];
      theta[j] -= lr * v[j];
      sum += theta[j];
    }
    return sum;
  },
  stepWithGap(s, i, g, lr, x, out) {
    if (s.nesterov) {
      out.gapSq = sendsTheta.gap(s, x, lr, null);
      return momentumBase.step(s, i, g, lr);
    }
    const { theta, v, gamma } = s;
    let sum = 0;
    let gapSq = 0;
    // fround: the same float32 roundings as `step` (v and θ are stored, then read back there).
    for (let j = 0; j < theta.length; j++) {
      const a = theta[j];
      const d = a - x[j];
      gapSq += d * d;
      const vj = (v[j] = Math.fround(gamma * v[j] + g[j]));
      sum += theta[j] = Math.fround(a - lr * vj);
    }
    out.gapSq = gapSq;
    return sum;
  },
};
