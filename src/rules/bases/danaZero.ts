import { z } from 'zod';
import type { BaseDef } from '../ruleTypes.ts';
import { momentumParam, perWorkerBuffers, thetaFrom } from './baseState.ts';
import { danaGap, danaLookAhead, danaStep } from './thetaOps.ts';

export interface DanaZeroState {
  theta: Float32Array;
  /** One momentum buffer per worker, kept on the master. */
  v: Float32Array[];
  /** S = Σ_j v_j, kept up to date so a send costs O(D), not O(N·D). */
  sum: Float32Array;
  gamma: number;
  /** [steps since S was last recomputed from the v_j] (float32 round-off of the running sum drifts); allocated, so shared by threads. */
  sinceResync: Int32Array;
}

/** Recompute S exactly every this many steps: O(N·D) amortised to O(N·D/1024) per step. */
const RESYNC_EVERY = 1024;

function resync(s: DanaZeroState): void {
  s.sum.fill(0);
  for (const v of s.v) for (let j = 0; j < v.length; j++) s.sum[j] += v[j];
  s.sinceResync[0] = 0;
}

const params = z.object({ momentum: momentumParam }).strict();

/**
 * DANA-Zero: send the look-ahead θ̂ = θ − ηγS (η the current learning rate);
 * receive: S −= v_i; v_i ← γv_i + g; S += v_i; θ ← θ − η v_i.
 * Gaps are measured between look-ahead points: Δ = θ̂_now − x_i.
 */
export const danaZeroBase: BaseDef<z.output<typeof params>, DanaZeroState> = {
  name: 'dana-zero',
  params,
  description: 'send θ̂ = θ − ηγS, S = Σ_j v_j; v_i ← γv_i + g; θ ← θ − η v_i',
  perWorker: true,
  syncable: false,
  init: (theta0, p, env) => ({
    theta: thetaFrom(theta0, env),
    v: perWorkerBuffers(env),
    sum: env.alloc.floats(env.dim),
    gamma: p.momentum,
    sinceResync: env.alloc.cells(1),
  }),
  master: (s) => s.theta,
  send: (s, _i, lr, out) => danaLookAhead(out, s.theta, s.sum, lr * s.gamma),
  gap: (s, x, lr, out) => danaGap(s.theta, s.sum, lr * s.gamma, x, out),
  buffer: (s, i) => s.v[i],
  step(s, i, g, lr) {
    const total = danaStep(s.theta, s.v[i], s.sum, g, lr, s.gamma);
    if (++s.sinceResync[0] >= RESYNC_EVERY) resync(s);
    return total;
  },
};
