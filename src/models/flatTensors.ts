import * as tf from '@tensorflow/tfjs';
import { sizeOf } from './model.ts';

/**
 * Cut a flat vector (one upload of θ or of the state) into tensors of the given shapes, in order.
 * Slicing on the device keeps θ → tensors to a single host-to-device copy.
 */
export function unflatten(flat: tf.Tensor1D, shapes: readonly (readonly number[])[]): tf.Tensor[] {
  if (shapes.length === 0) return [];
  const sizes = shapes.map(sizeOf);
  const pieces = tf.split(flat, sizes);
  return pieces.map((p, i) => p.reshape([...shapes[i]]));
}

/** Concatenate tensors into one flat vector (the inverse of `unflatten`). */
export function flatten(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  if (tensors.length === 0) return tf.zeros([0]);
  return tf.concat(tensors.map((t) => t.reshape([-1]))) as tf.Tensor1D;
}
