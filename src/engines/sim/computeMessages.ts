import type { SimConfig } from './simConfig.ts';

/** What a compute thread starts with (workerData): the validated config and the shared job slots. */
export interface ComputeInit {
  config: SimConfig;
  thread: number;
  dim: number;
  batchSeed: number;
  /** N + 1 slots of D floats: each worker's sent parameters, and one for SSGD rounds. */
  thetas: SharedArrayBuffer;
  /** N slots of D floats: the gradient of each worker's job. */
  grads: SharedArrayBuffer;
}

/** Compute the gradient at θ slot `theta` on minibatch number `batch` into gradient slot `grad`. */
export type ComputeRequest = { type: 'job'; theta: number; grad: number; batch: number } | { type: 'close' };

export type ComputeReply =
  | { type: 'ready' }
  | { type: 'done'; grad: number; loss: number; stats?: Float32Array }
  | { type: 'error'; message: string; stack?: string };
