import type { Evaluation } from '../oracle/oracle.ts';
import type { SplitName } from '../data/dataset.ts';

/**
 * What a thread computes on: a gradient oracle addressed by global minibatch index, so every
 * thread draws from one seeded minibatch order through a shared counter. Asynchronous like
 * GradientOracle (a GPU backend reads results back with `await data()`); the objective must read
 * θ before its first await, since a Hogwild! or Leashed-SGD vector is only guaranteed until then
 * or until the view is released.
 */
export interface ThreadObjective {
  readonly dim: number;
  readonly description: string;
  /** Examples per epoch (model objectives), for the evals table's epoch column. */
  readonly trainSize?: number;
  init(seed: number): Float32Array;
  /** Loss and gradient at θ on minibatch number `batchIndex`; `g` may be reused by the next call. */
  gradient(theta: Float32Array, batchIndex: number): Promise<{ loss: number; g: Float32Array }>;
  evaluate(theta: Float32Array, split: SplitName): Promise<Evaluation>;
  /**
   * Reads whose vector broke the objective's invariant (constant-gradient: unequal coordinates);
   * absent for objectives without one.
   */
  invariantViolations?: number;
  dispose(): void;
}
