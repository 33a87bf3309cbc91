import type { z } from 'zod';

/**
 * The contracts of a rule's parts (ALGORITHMS.md §2), optax style: a rule is a base step plus an
 * ordered chain of gradient transforms; each part owns its hyper-parameters (a strict schema) and
 * its state, which is plain data (typed arrays mutated in place, plus scalars) so that tests,
 * checkpoints and other threads can read it.
 */

/**
 * Where a part's state lives. In one process these are ordinary arrays; an engine whose workers
 * share state (threads) hands out views of shared memory instead, in allocation order, and
 * Leashed-SGD versions a whole copy of the state with every published θ. So state that must be
 * shared or versioned with θ (vectors, and scalars such as an update counter) is allocated here,
 * not kept in plain object fields.
 */
export interface StateAllocator {
  floats(length: number): Float32Array;
  doubles(length: number): Float64Array;
  cells(length: number): Int32Array;
}

export interface InitEnv {
  /** D, the number of parameters. */
  readonly dim: number;
  /** N, the workers (per-worker state holds N vectors). */
  readonly workers: number;
  readonly alloc: StateAllocator;
}

/** A part's hyper-parameters: a strict zod object schema (defaults filled in by parsing). */
export type ParamsSchema<P extends object> = z.ZodType<P, Record<string, unknown>>;

/**
 * A base step: what the master keeps, what `send(i)` returns, and how an (already transformed)
 * gradient is applied. Methods, not function properties, so one registry holds bases over
 * different states.
 */
export interface BaseDef<P extends object = Record<string, unknown>, S extends object = object> {
  readonly name: string;
  readonly params: ParamsSchema<P>;
  /** One line for `--help` and docs: the maths of the step. */
  readonly description: string;
  /** Whether the state holds one D-vector per worker (N×D memory). */
  readonly perWorker: boolean;
  /** Whether it can run SSGD's barrier rounds (one update per round, no staleness). */
  readonly syncable: boolean;
  init(theta0: Float32Array, params: P, env: InitEnv): S;
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
   * Apply the (already transformed) gradient of `worker`. Returns Σ_j of the master's parameters
   * after the step: finite iff every parameter is finite (float32 values cannot overflow a double
   * sum), so the engine detects divergence without another pass over θ.
   */
  step(state: S, worker: number, g: Float32Array, lr: number): number;
  /**
   * `step` and `gap(state, x)` in one pass over θ, for rules whose transforms do not read Δ.
   * Returns the checksum as `step` does and writes Σ_j (θ_j − x_j)² into `out.gapSq`. Optional: it
   * saves one memory-bound pass over D floats per update.
   */
  stepWithGap?(state: S, worker: number, g: Float32Array, lr: number, x: Float32Array, out: { gapSq: number }): number;
}

/** What a transform sees of the update in flight. */
export interface TransformContext {
  readonly worker: number;
  /** Staleness τ of the gradient (0 in SSGD rounds). */
  readonly tau: number;
  /** The schedule's learning rate η for this update. */
  readonly lr: number;
  /** The parameters the gradient was computed on (what the worker was sent). */
  readonly x: Float32Array;
  /** The master's parameters now (a live view: do not write it). */
  readonly master: Float32Array;
  /** Δ = (what a send would return now) − x; filled in only when some transform has `needsGap`. */
  readonly gap: Float32Array | null;
  /** The momentum buffer the base will step with, before this update (null without momentum). */
  readonly buffer: Float32Array | null;
}

/**
 * What a transform reports for the updates table. Divisors multiply into penalty_mean/penalty_max
 * (GA's G, SA's max(1, τ)); a step-size multiplier into `scale` (α(τ) = η·s(τ), logged as lr).
 */
export interface TransformStats {
  divisorMean?: number;
  divisorMax?: number;
  scale?: number;
}

/** A gradient transform applied at the master before the base step: `apply` rewrites g in place. */
export interface TransformDef<P extends object = Record<string, unknown>, S = unknown> {
  readonly name: string;
  readonly params: ParamsSchema<P>;
  readonly description: string;
  /** Whether `apply` reads ctx.gap (so the engine computes Δ into a buffer). */
  readonly needsGap: boolean;
  /**
   * Whether it acts only on stale gradients (τ, Δ) and so does nothing in SSGD's barrier rounds,
   * where listing it is an error rather than a silent no-op.
   */
  readonly stalenessOnly: boolean;
  init(params: P, env: InitEnv): S;
  apply(state: S, g: Float32Array, ctx: TransformContext, params: P): TransformStats | void;
}

/** A loaded definition remembers the module it came from, so other threads and processes can load it too. */
export interface ModuleRef {
  /** Absolute path (or URL) of the module. */
  module: string;
  export: string;
}
