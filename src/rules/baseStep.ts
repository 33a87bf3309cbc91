import type { ResolvedRuleParams, RuleParamName } from './ruleParams.ts';

/**
 * A base step of the master/worker protocol (ALGORITHMS.md §2) as functions over explicit state
 * (optax style): the state is plain data (Float32Arrays mutated in place, plus scalars), so it can
 * be inspected and checked by tests. Penalties transform the gradient before `step`.
 *
 * Methods (not function properties) so that the registry can hold steps over different states.
 */
export interface BaseStep<S extends object> {
  /** Whether the state holds one D-vector per worker (N×D memory). */
  readonly perWorker: boolean;
  /** Parameters this base reads (for the run record). */
  readonly params: readonly RuleParamName[];
  init(theta0: Float32Array, workers: number, params: ResolvedRuleParams): S;
  /** The master's parameters: what weight decay and evaluation use. */
  master(state: S): Float32Array;
  /** Write the parameters `send(i)` returns now into `out` (x_i). */
  send(state: S, worker: number, lr: number, out: Float32Array): void;
  /**
   * Σ_j (p_j − x_j)², where p is what a send would return now (θ; the look-ahead θ̂ for DANA),
   * rounded to float32 exactly as `send` rounds it, so Δ ≡ 0 when nothing changed. Writes p − x
   * into `out` when given.
   */
  gap(state: S, x: Float32Array, lr: number, out: Float32Array | null): number;
  /** The momentum buffer this update will step with (GA's statistic u), or null without momentum. */
  buffer(state: S, worker: number): Float32Array | null;
  /**
   * Apply the (already penalised) gradient of `worker`. Returns Σ_j of the master's parameters
   * after the step: finite iff every parameter is finite (float32 values cannot overflow a double
   * sum), so the engine detects divergence without another pass over θ.
   */
  step(state: S, worker: number, g: Float32Array, lr: number): number;
  /**
   * `step` and `gap(state, x)` in one pass over θ, for rules whose penalties do not read Δ (the
   * gap of a base that sends θ depends only on θ before the step and x). Returns the checksum as
   * `step` does and writes Σ_j (θ_j − x_j)² into `out.gapSq`. Optional: a memory-bound pass over
   * D floats is saved per update, which is most of the engine's own cost on a large model.
   */
  stepWithGap?(state: S, worker: number, g: Float32Array, lr: number, x: Float32Array, out: { gapSq: number }): number;
}

/**
 * Σ (θ_j − x_j)², writing θ − x into out when given: the gap of every base that sends θ. Four
 * partial sums break the add latency chain (about 1.5× faster on a 235k-float model).
 */
export function gapToTheta(theta: Float32Array, x: Float32Array, out: Float32Array | null): number {
  const n = theta.length;
  const r = n & 3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  // Leftovers before the unrolled loop: a tail loop after it would lack type feedback when V8
  // compiles the main loop on-stack, and deoptimise on every call.
  if (out) {
    for (; j < r; j++) {
      const d = (out[j] = theta[j] - x[j]);
      s0 += d * d;
    }
    for (; j < n; j += 4) {
      const d0 = (out[j] = theta[j] - x[j]);
      const d1 = (out[j + 1] = theta[j + 1] - x[j + 1]);
      const d2 = (out[j + 2] = theta[j + 2] - x[j + 2]);
      const d3 = (out[j + 3] = theta[j + 3] - x[j + 3]);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
  } else {
    for (; j < r; j++) {
      const d = theta[j] - x[j];
      s0 += d * d;
    }
    for (; j < n; j += 4) {
      const d0 = theta[j] - x[j];
      const d1 = theta[j + 1] - x[j + 1];
      const d2 = theta[j + 2] - x[j + 2];
      const d3 = theta[j + 3] - x[j + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
  }
  return s0 + s1 + s2 + s3;
}

/** N zero vectors of length D. */
export function perWorkerBuffers(workers: number, dim: number): Float32Array[] {
  return Array.from({ length: workers }, () => new Float32Array(dim));
}

/** master/send/gap of every base that sends its master vector θ as is (all but DANA-Zero). */
export const sendsTheta = {
  master: (s: { theta: Float32Array }): Float32Array => s.theta,
  send: (s: { theta: Float32Array }, _i: number, _lr: number, out: Float32Array): void => out.set(s.theta),
  gap: (s: { theta: Float32Array }, x: Float32Array, _lr: number, out: Float32Array | null): number => gapToTheta(s.theta, x, out),
};

/** θ plus one momentum buffer on the master, shared by all workers. */
export interface SharedMomentumState {
  theta: Float32Array;
  v: Float32Array;
  gamma: number;
}

export function initSharedMomentum(theta0: Float32Array, _workers: number, p: ResolvedRuleParams): SharedMomentumState {
  return { theta: theta0.slice(), v: new Float32Array(theta0.length), gamma: p.momentum };
}

/** θ plus one momentum buffer per worker (kept on the master, or on the worker for DANA-Slim). */
export interface PerWorkerMomentumState {
  theta: Float32Array;
  v: Float32Array[];
  gamma: number;
}

export function initPerWorkerMomentum(theta0: Float32Array, workers: number, p: ResolvedRuleParams): PerWorkerMomentumState {
  return { theta: theta0.slice(), v: perWorkerBuffers(workers, theta0.length), gamma: p.momentum };
}
