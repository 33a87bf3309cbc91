import { z } from 'zod';
import type { BaseDef, InitEnv } from '../ruleTypes.ts';
import { gapToTheta } from './thetaOps.ts';

/** master/send/gap of every base that sends its master vector θ as is (all but DANA-Zero). */
export const sendsTheta = {
  master: (s: { theta: Float32Array }): Float32Array => s.theta,
  send: (s: { theta: Float32Array }, _i: number, _lr: number, out: Float32Array): void => out.set(s.theta),
  gap: (s: { theta: Float32Array }, x: Float32Array, _lr: number, out: Float32Array | null): number => gapToTheta(s.theta, x, out),
} satisfies Pick<BaseDef<object, { theta: Float32Array }>, 'master' | 'send' | 'gap'>;

/** θ0 copied into state memory. */
export function thetaFrom(theta0: Float32Array, env: InitEnv): Float32Array {
  const theta = env.alloc.floats(theta0.length);
  theta.set(theta0);
  return theta;
}

/** N zero vectors of length D. */
export function perWorkerBuffers(env: InitEnv): Float32Array[] {
  return Array.from({ length: env.workers }, () => env.alloc.floats(env.dim));
}

/** θ plus one momentum buffer per worker (kept on the master, or on the worker for DANA-Slim). */
export interface PerWorkerMomentumState {
  theta: Float32Array;
  v: Float32Array[];
  gamma: number;
}

export function initPerWorkerMomentum(theta0: Float32Array, p: { momentum: number }, env: InitEnv): PerWorkerMomentumState {
  return { theta: thetaFrom(theta0, env), v: perWorkerBuffers(env), gamma: p.momentum };
}

/** γ of every momentum base (ALGORITHMS.md §2: default 0.9). */
export const momentumParam = z.number().min(0).lt(1).default(0.9);
