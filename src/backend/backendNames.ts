/**
 * The TensorFlow.js backends a config may name. Kept apart from initBackend so that validating a
 * config or printing `--help` never loads TensorFlow.js.
 */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
