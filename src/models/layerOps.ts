import * as tf from '@tensorflow/tfjs';

import type { Activation } from './modelSpec.ts';

export type { Activation };

export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  return activation === 'relu' ? tf.relu(x) : tf.tanh(x);
}

/** x [N, in] · W [in, out] + b [out]. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
}

/** NHWC convolution with kernel [kh, kw, ci, co]; `bias` is omitted where batch norm follows. */
export function conv(
  x: tf.Tensor,
  kernel: tf.Tensor,
  stride: number,
  pad: 'same' | 'valid' | number,
  bias?: tf.Tensor,
): tf.Tensor4D {
  const y = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, stride, pad);
  return (bias ? tf.add(y, bias) : y) as tf.Tensor4D;
}

/** [N, ...] → [N, prod(...)]. */
export function flattenRows(x: tf.Tensor): tf.Tensor2D {
  return x.reshape([x.shape[0], -1]) as tf.Tensor2D;
}
