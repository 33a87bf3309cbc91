import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { sendsTheta, thetaFrom } from './baseState.ts';
import { sgdUpdate, sgdUpdateWithGap } from './thetaOps.ts';

export interface SgdState {
  theta: Float32Array;
}

/** ASGD: send θ; θ ← θ − η g. */
export const sgdBase: BaseDef<Record<string, never>, SgdState> = {
  name: 'sgd',
  params: z.object({}).strict(),
  description: 'send θ; θ ← θ − η g',
  perWorker: false,
  syncable: true,
  ...sendsTheta,
  init: (theta0, _p, env) => ({ theta: thetaFrom(theta0, env) }),
  buffer: () => null,
  step: (s, _i, g, lr) => sgdUpdate(s.theta, g, lr),
  stepWithGap: (s, _i, g, lr, x, out) => sgdUpdateWithGap(s.theta, g, lr, x, out),
};
