import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { initPerWorkerMomentum, momentumParam, sendsTheta, type PerWorkerMomentumState } from './baseState.ts';
import { momentumStep } from './thetaOps.ts';

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
  // γv + g equals g + γv exactly: Nesterov's step on worker i's buffer.
  step: (s, i, g, lr) => momentumStep(s.theta, s.v[i], g, lr, s.gamma, true),
};
