import type { GradientResult } from '../../oracle/oracle.ts';

/**
 * How the async engine gets the gradients of its workers' jobs (ALGORITHMS.md §1: a gradient
 * depends only on the parameters and minibatch fixed when its job was sent, so it may be computed
 * any time between send and apply, anywhere, with the same result). Implementations: one by one
 * or in groups in this thread (InFlightGradients), or ahead on compute threads (ComputePool).
 */
export interface GradientJobs {
  /** Where worker i's parameters go when it is sent a job: the master's send writes them here. */
  buffer(worker: number): Float32Array;
  /**
   * Worker i has a new job: its parameters are in buffer(i), its minibatch is number `batch` of the
   * run's stream (assembled only where the gradient is computed); `due` orders
   * the applies of the jobs in flight (the earliest first), so work ahead goes to the next needed.
   * buffer(i) stays unchanged until the job's gradient is taken.
   */
  sent(worker: number, batch: number, version: number, due: number): void;
  /** The gradient of worker i's job, which is being applied; `stepsLeft` counts this update too. */
  take(worker: number, stepsLeft: number): Promise<GradientResult>;
  /** Gradients of one θ on several minibatches of the stream (SSGD's round). */
  round(theta: Float32Array, batches: number[]): Promise<GradientResult[]>;
  /** Oracle passes made and gradients computed (for the run record). */
  readonly passes: number;
  readonly computed: number;
  close(): Promise<void>;
}
