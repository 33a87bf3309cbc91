import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { initPerWorkerMomentum, momentumParam, sendsTheta, type PerWorkerMomentumState } from './baseState.ts';

const params = z.object({ momentum: momentumParam }).strict();

/**
 * DANA-Slim: the master keeps only Θ (state.theta; it equals DANA-Zero's look-ahead θ̂) and sends
 * it. Worker i keeps v_i (state.v[i]: on the worker in a real cluster, here in the simulation):
 * v_i ← γv_i + g, returns u = γv_i + g; master: Θ ← Θ − η u.
 * With constant η it sends exactly the parameters DANA-Zero sends (ALGORITHMS.md §5.1).
 */
export const danaSlimBase: BaseDef<z.output<typeof params>, PerWorkerMomentumState> = {
  name: 'dana-slim',
  params,
  description: 'send Θ; worker: v_i ← γv_i + g, u = γv_i + g; master: Θ ← Θ − η u',
  perWorker: true,
  syncable: false,
  ...sendsTheta,
  init: initPerWorkerMomentum,
  buffer: (s, i) => s.v[i],
  step(s, i, g, lr) {
    const { theta, gamma } = s;
    const v = s.v[i];
    let total = 0;
    for (let j = 0; j < theta.length; j++) {
      const vj = (v[j] = gamma * v[j] + g[j]);
      theta[j] -= lr * (gamma * vj + g[j]);
      total += theta[j];
    }
    return total;
  },
};
