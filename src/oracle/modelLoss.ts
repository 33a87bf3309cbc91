import * as tf from '@tensorflow/tfjs';
import type { Task } from '../data/dataset.ts';

/** Labels as a tensor: int32 class indices (classification) or float32 targets (regression). */
export function targetTensor(y: Int32Array | Float32Array, task: Task): tf.Tensor1D {
  if (task === 'regression') return tf.tensor1d(y instanceof Float32Array ? y : Float32Array.from(y), 'float32');
  return tf.tensor1d(y instanceof Int32Array ? y : Int32Array.from(y), 'int32');
}

/**
 * Loss of each example: softmax cross-entropy −log softmax(logits)[y] (classification), or the
 * squared error (prediction − y)² of the single output (regression). Means of these are the
 * training losses; sums over chunks give evaluation means.
 */
export function perExampleLoss(logits: tf.Tensor2D, target: tf.Tensor1D, task: Task): tf.Tensor1D {
  if (task === 'regression') return tf.squaredDifference(logits.reshape([-1]), target) as tf.Tensor1D;
  const logProbs = tf.logSoftmax(logits);
  const picked = tf.mul(logProbs, tf.oneHot(target, logits.shape[1]));
  return tf.neg(tf.sum(picked, 1)) as tf.Tensor1D;
}

/** Number of rows whose largest logit is at the label. */
export function correctCount(logits: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), target), 'float32'));
}
