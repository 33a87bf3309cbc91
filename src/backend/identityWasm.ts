import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Identity for the wasm backend without a copy: the output shares the input's data and bumps
 * its reference count, as the cpu and webgl backends (and wasm's own Reshape) do. No wasm kernel
 * writes into its inputs, so sharing is safe. tfjs's wasm Identity copies, and backprop calls it
 * on every parameter and activation (≈1 ms of a LeNet-5 step).
 */
export function makeIdentityWasm(native: tf.KernelFunc): tf.KernelFunc {
  return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return native(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as tf.KernelFunc;
}
