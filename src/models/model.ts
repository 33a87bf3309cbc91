import type * as tf from '@tensorflow/tfjs';

/**
 * How one parameter tensor is initialised. Fans follow Keras/PyTorch: a dense kernel [in, out]
 * has fan_in = in, fan_out = out; a conv kernel [kh, kw, ci, co] has fan_in = kh·kw·ci,
 * fan_out = kh·kw·co.
 * - `he-normal`: N(0, 2/fan_in), not truncated (PyTorch's kaiming_normal_, which He et al. use).
 * - `glorot-uniform`: U(−l, l), l = √(6 / (fan_in + fan_out)) (Keras' default).
 * - `{ normal: std }`: N(0, std²), e.g. the ASAP.SGD authors' N(0, 0.01²).
 */
export type InitSpec = 'he-normal' | 'glorot-uniform' | 'zeros' | 'ones' | { readonly normal: number };

export interface ParamSpec {
  /** Layer-qualified name, e.g. "conv1/kernel", unique within a model. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: InitSpec;
}

/** Non-trainable state: batch-norm running mean (starts at 0) and running variance (starts at 1). */
export interface StateSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: 'zeros' | 'ones';
}

export type ForwardMode = 'train' | 'eval';

export interface ForwardResult {
  /** [N, outputSize]: class logits, or the prediction (outputSize 1) for regression. */
  logits: tf.Tensor2D;
  /**
   * 'train' mode with batch norm only: this minibatch's statistics, one tensor per StateSpec in
   * the same order (per BN layer: mean, then unbiased variance), to fold into the running state.
   */
  batchStats?: tf.Tensor[];
}

/**
 * A network as a pure function of its parameters. Parameters live in one flat vector θ laid out
 * as `paramSpecs` in order (row-major within each tensor); nothing is held inside the model, so
 * engines and rules see only Float32Arrays and any number of θs can go through one model.
 */
export interface Model {
  /** Zoo name, e.g. "mlp". */
  readonly name: string;
  /** Name with its sizes, e.g. "mlp(784-256-128-10)". */
  readonly description: string;
  /** Shape of one example, e.g. [28, 28, 1]. */
  readonly inputShape: readonly number[];
  /** Width of `logits`: number of classes, or 1 for regression. */
  readonly outputSize: number;
  readonly paramSpecs: readonly ParamSpec[];
  /** Σ prod(shape) over paramSpecs. */
  readonly dim: number;
  /** Batch-norm running statistics; empty when the model has no batch norm. */
  readonly stateSpecs: readonly StateSpec[];
  /** Σ prod(shape) over stateSpecs. */
  readonly stateDim: number;
  /**
   * `params` are tensors shaped as `paramSpecs`; `x` is [N, ...inputShape]. 'train' normalises
   * with batch statistics and returns them; 'eval' uses `state` (tensors shaped as `stateSpecs`),
   * which models with batch norm require in that mode.
   */
  forward(params: readonly tf.Tensor[], x: tf.Tensor, mode: ForwardMode, state?: readonly tf.Tensor[]): ForwardResult;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
