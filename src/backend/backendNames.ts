/**
 * The compute backends a config may name, kept apart from the code that loads them so that
 * validating a config or printing `--help` loads nothing. `blas` is stalelab's native addon
 * (OpenBLAS; dense and LeNet models); the others are TensorFlow.js backends.
 */
export const BACKEND_CHOICES = ['auto', 'blas', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The TensorFlow.js backends (what initBackend brings up), and its 'auto'. */
export const TFJS_BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type TfjsBackendChoice = (typeof TFJS_BACKENDS)[number];
