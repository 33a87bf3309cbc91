import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { initPerWorkerMomentum, momentumParam, sendsTheta, type PerWorkerMomentumState } from './baseState.ts';
import { momentumStep } from './thetaOps.ts';

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
  // Heavy-ball momentum's step on worker i's buffer.
  step: (s, i, g, lr) => momentumStep(s.theta, s.v[i], g, lr, s.gamma, false),
};
