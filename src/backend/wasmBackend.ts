import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { errorText, type BackendAttempt } from './backendAttempt.ts';
import { registerWasmConvKernels } from './wasmConvKernels.ts';

/**
 * Brings up tfjs's WebAssembly backend (XNNPACK kernels) with stalelab's conv2d gradient
 * kernels. Under Node the package's CommonJS build finds its .wasm files next to itself
 * (__dirname), so no setWasmPaths is needed. Its own threads stay off in Node: parallelism
 * comes from stalelab's worker threads, one backend each.
 */
export async function loadWasm(): Promise<BackendAttempt> {
  registerWasmConvKernels();
  try {
    if (!(await tf.setBackend('wasm'))) {
      return { ok: false, why: 'the wasm backend failed to initialise (its .wasm binary could not be loaded or compiled)', install: 'Reinstall with: npm install @tensorflow/tfjs-backend-wasm' };
    }
  } catch (error) {
    return { ok: false, why: `the wasm backend failed to initialise (${errorText(error)})`, install: 'Reinstall with: npm install @tensorflow/tfjs-backend-wasm' };
  }
  return {
    ok: true,
    name: 'wasm',
    detail: 'WebAssembly + XNNPACK, with stalelab\'s Conv2DBackpropFilter/Conv2DBackpropInput kernels',
    versions: { 'tfjs-backend-wasm': version_wasm },
  };
}
