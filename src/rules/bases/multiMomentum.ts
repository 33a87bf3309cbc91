import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { initPerWorkerMomentum, momentumParam, sendsTheta, type PerWorkerMomentumState } from './baseState.ts';

const params = z.object({ momentum: momentumParam }).strict();

/** Multi-ASGD: send θ; v_i ← γv_i + g; θ ← θ − η v_i (one momentum per worker, kept on the master). */
export const multiMomentumBase: BaseDef<z.output<typeof params>, PerWorkerMomentumState> = {
  name: 'multi-momentum',
  params,
  description: 'send θ; v_i ← γv_i + g; θ ← θ − η v_i (one momentum per worker, on the master)',
  perWorker: true,
  syncable: false,
  ...sendsTheta,
  init: initPerWorkerMomentum,
  buffer: (s, i) => s.v[i],
  step(s, i, g, lr) {
    const { theta, gamma } = s;
    const v = s.v[i];
    let sum = 0;
    for (let j = 0; j < theta.length; j++) {
      v[j] = gamma * v[j] + g[j];
      theta[j] -= lr * v[j];
      sum += theta[j];
    }
    return sum;
  },
};
