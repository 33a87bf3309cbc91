import * as tf from '@tensorflow/tfjs';
// Imported for its side effect: the wasm package registers its own kernels when it loads, and
// would overwrite ours if it loaded after them.
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterWasm } from './conv2dBackpropFilterWasm.ts';
import { conv2dBackpropInputWasm } from './conv2dBackpropInputWasm.ts';
import { makeBatchMatMulWasm } from './batchMatMulWasm.ts';
import { makeIdentityWasm } from './identityWasm.ts';
import { maxPoolGradWasm } from './maxPoolGradWasm.ts';

// The package's own BatchMatMul and Identity, captured once when this module loads (before
// anything replaces them): ours call them where they are fast, and keep their setupFunc, which
// binds the wasm functions when the backend initialises.
function native(kernelName: string): tf.KernelConfig {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`@tensorflow/tfjs-backend-wasm registered no ${kernelName} kernel`);
  return config;
}
const nativeBatchMatMul = native(tf.BatchMatMul);
const nativeIdentity = native(tf.Identity);

const ours: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc; setupFunc?: tf.KernelConfig['setupFunc'] }> = [
  { kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc },
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: conv2dBackpropInputWasm as tf.KernelFunc },
  { kernelName: tf.MaxPoolGrad, kernelFunc: maxPoolGradWasm as tf.KernelFunc },
  { kernelName: tf.BatchMatMul, kernelFunc: makeBatchMatMulWasm(nativeBatchMatMul.kernelFunc), setupFunc: nativeBatchMatMul.setupFunc },
  { kernelName: tf.Identity, kernelFunc: makeIdentityWasm(nativeIdentity.kernelFunc), setupFunc: nativeIdentity.setupFunc },
];

/**
 * Registers stalelab's kernels for the wasm backend: the missing Conv2DBackpropFilter and a
 * faster Conv2DBackpropInput, both built on XNNPACK's Conv2D; a faster MaxPoolGrad; an Identity
 * that shares instead of copying; and a BatchMatMul that keeps transposed and batched products
 * on XNNPACK's fast path (see batchMatMulWasm.ts). Idempotent; safe before or after the wasm
 * backend is initialised (the replaced kernels' set-up functions are kept).
 */
export function registerWasmConvKernels(): void {
  for (const { kernelName, kernelFunc, setupFunc } of ours) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    // Unregister first: registerKernel warns when it overwrites.
    if (current !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
  }
}

/** True when all stalelab wasm kernels are the registered ones. */
export function wasmConvKernelsRegistered(): boolean {
  return ours.every(({ kernelName, kernelFunc }) => tf.getKernel(kernelName, 'wasm')?.kernelFunc === kernelFunc);
}
