import * as tf from '@tensorflow/tfjs';
// Imported for its side effect: the wasm package registers its own kernels when it loads, and
// would overwrite ours if it loaded after them.
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterWasm } from './conv2dBackpropFilterWasm.ts';
import { conv2dBackpropInputWasm } from './conv2dBackpropInputWasm.ts';

const ours: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc },
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: conv2dBackpropInputWasm as tf.KernelFunc },
];

/**
 * Registers stalelab's conv2d gradient kernels for the wasm backend: the missing
 * Conv2DBackpropFilter and a faster Conv2DBackpropInput, both built on XNNPACK's Conv2D.
 * Idempotent; safe before or after the wasm backend is initialised (neither needs set-up).
 */
export function registerWasmConvKernels(): void {
  for (const { kernelName, kernelFunc } of ours) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    // Unregister first: registerKernel warns when it overwrites.
    if (current !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}

/** True when both stalelab wasm conv kernels are the registered ones. */
export function wasmConvKernelsRegistered(): boolean {
  return ours.every(({ kernelName, kernelFunc }) => tf.getKernel(kernelName, 'wasm')?.kernelFunc === kernelFunc);
}
