import type { Batch, BatchSource, SplitName } from '../data/dataset.ts';

export interface GradientResult {
  loss: number;
  /** Gradient of the minibatch loss w.r.t. θ, length `dim`. Owned by the caller. */
  g: Float32Array;
  /**
   * Batch-norm statistics of this minibatch (per BN layer: mean then variance), when the model
   * has batch norm. The engine folds them into the running statistics when the gradient is
   * applied (`foldStats`), so evaluation uses statistics that track the master's parameters.
   */
  stats?: Float32Array;
}

export interface Evaluation {
  loss: number;
  /** null for regression and user objectives without a notion of accuracy. */
  accuracy: number | null;
}

/**
 * Everything an engine needs from "a model on a dataset", over a flat parameter vector θ.
 * Engines and rules see only Float32Arrays; tensors never leave the oracle.
 *
 * gradient/gradients/evaluate are asynchronous because the WebGPU backend cannot read a GPU
 * tensor back synchronously in Node (dataSync throws there): oracles read with `await data()`.
 */
export interface GradientOracle {
  /** Number of trainable parameters D. */
  readonly dim: number;
  /** Human-readable description for run records, e.g. "mlp(784-256-128-10) on mnist". */
  readonly description: string;
  /** Initial θ, deterministic in the seed. */
  init(seed: number): Float32Array;
  /** The seeded training minibatches of this size, addressable by index (any thread computes the same batch k). */
  batches(batchSize: number, seed: number): BatchSource;
  /**
   * The loss and gradient at θ on a minibatch. `out`, when given, is a D-float buffer the caller
   * will not read until it is done with this result: an oracle may write g there (and return it
   * as `g`) instead of allocating, so a hot loop allocates nothing per gradient. Callers read
   * `result.g`, which need not be `out`.
   */
  gradient(theta: Float32Array, batch: Batch, out?: Float32Array): Promise<GradientResult>;
  /**
   * Gradients of several parameter vectors, each on its own batch. Equal to calling `gradient`
   * for each pair; an oracle may evaluate them in one device pass.
   */
  gradients?(thetas: Float32Array[], batches: Batch[]): Promise<GradientResult[]>;
  evaluate(theta: Float32Array, split: SplitName): Promise<Evaluation>;
  /** Non-trainable state (batch-norm running statistics); empty when the model has none. */
  readonly state: Float32Array;
  foldStats(stats: Float32Array): void;
  /** Samples per epoch of the training split (for samples-based schedules). */
  readonly trainSize: number;
  /** Number of classes of a classification task (chance accuracy is 1/classes); absent otherwise. */
  readonly classes?: number;
  /**
   * Test objectives with an invariant (constant-gradient: every coordinate equal) count the
   * parameter vectors they were given that broke it (torn reads under Hogwild!); absent otherwise.
   */
  readonly invariantViolations?: number;
  dispose(): void;
}
