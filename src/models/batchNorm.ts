import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from './model.ts';

/** PyTorch's BatchNorm epsilon. */
export const BN_EPSILON = 1e-5;

export interface BatchNormOutput {
  y: tf.Tensor;
  /** 'train' mode: [batch mean, unbiased batch variance] over all axes but the channel axis. */
  stats?: [tf.Tensor1D, tf.Tensor1D];
}

/**
 * Batch normalisation over every axis but the last (channels), written with plain ops so its
 * gradient is tfjs' autodiff of the formula on any backend. 'train' normalises with the biased
 * batch variance and reports the unbiased one for the running estimate (as PyTorch does);
 * 'eval' normalises with the running statistics.
 */
export function batchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mode: ForwardMode,
  running?: readonly [tf.Tensor, tf.Tensor],
): BatchNormOutput {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  if (mode === 'eval') {
    if (!running) throw new Error('batchNorm: eval mode needs the running mean and variance');
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(running[1], BN_EPSILON)));
    return { y: tf.add(tf.mul(tf.sub(x, running[0]), scale), beta) };
  }
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPSILON))), gamma), beta);
  const n = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
  return { y, stats: [mean as tf.Tensor1D, unbiased as tf.Tensor1D] };
}

/**
 * Fold one minibatch's statistics into the running ones, in place:
 * state ← momentum·state + (1 − momentum)·stats (momentum 0.9 ≙ PyTorch's momentum=0.1).
 */
export function foldRunningStats(state: Float32Array, stats: Float32Array, momentum: number): void {
  if (stats.length !== state.length) {
    throw new RangeError(`foldStats: expected ${state.length} statistics, got ${stats.length}`);
  }
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`foldStats: momentum must be in [0, 1], got ${momentum}`);
  for (let j = 0; j < state.length; j++) state[j] = momentum * state[j] + (1 - momentum) * stats[j];
}
