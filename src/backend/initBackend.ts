import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../config/validate.ts';
import type { BackendAttempt } from './backendAttempt.ts';
import { loadTensorflowNode } from './tensorflowNodeBackend.ts';
import { loadWasm } from './wasmBackend.ts';
import { loadWebgpu } from './webgpuBackend.ts';

import { TFJS_BACKENDS, type TfjsBackendChoice } from './backendNames.ts';

export { TFJS_BACKENDS };
export type BackendChoice = TfjsBackendChoice;

/** Which TensorFlow.js backend is active, what was asked for, and why this one. */
export interface BackendInfo {
  /** tf.getBackend() after initialisation. */
  name: string;
  requested: BackendChoice;
  /** Why this backend: for 'auto', every backend tried before it and why each was passed over. */
  reason: string;
  /** Versions of tfjs, the backend's packages and Node. */
  versions: Record<string, string>;
}

/**
 * An explicitly requested backend cannot run here; the message says what is missing and how to
 * install it. A user's error (like a bad config field), so the CLI prints it as one line.
 */
export class BackendUnavailableError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

/** How long a GPU may take to answer requestAdapter() / initialise before it counts as absent. */
const WEBGPU_TIMEOUT_MS = 10_000;

const settled = new Map<BackendChoice, Promise<BackendInfo>>();

function baseVersions(): Record<string, string> {
  return { tfjs: tf.version.tfjs ?? tf.version_core, 'tfjs-core': tf.version_core, node: process.versions.node };
}

function info(requested: BackendChoice, attempt: Extract<BackendAttempt, { ok: true }>, reason: string): BackendInfo {
  return { name: tf.getBackend(), requested, reason, versions: { ...baseVersions(), ...attempt.versions } };
}

async function loadCpu(): Promise<BackendAttempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'the cpu backend failed to initialise', install: 'Reinstall @tensorflow/tfjs' };
  return { ok: true, name: 'cpu', detail: 'pure-JavaScript cpu backend (always available, slowest)', versions: {} };
}

function load(choice: Exclude<BackendChoice, 'auto'>, auto: boolean): Promise<BackendAttempt> {
  switch (choice) {
    case 'tensorflow':
      return loadTensorflowNode();
    case 'webgpu':
      return loadWebgpu({ timeoutMs: WEBGPU_TIMEOUT_MS, acceptFallbackAdapter: !auto });
    case 'wasm':
      return loadWasm();
    case 'cpu':
      return loadCpu();
  }
}

async function select(requested: BackendChoice): Promise<BackendInfo> {
  if (requested !== 'auto') {
    const attempt = await load(requested, false);
    if (!attempt.ok) throw new BackendUnavailableError(`backend '${requested}': ${attempt.why}. ${attempt.install}`);
    return info(requested, attempt, `requested '${requested}': ${attempt.detail}`);
  }
  const passedOver: string[] = [];
  for (const choice of ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const) {
    const attempt = await load(choice, true);
    if (attempt.ok) {
      const tried = passedOver.length > 0 ? `; tried first: ${passedOver.join('; ')}` : '';
      return info(requested, attempt, `auto chose '${choice}': ${attempt.detail}${tried}`);
    }
    passedOver.push(`${choice} (${attempt.why})`);
  }
  throw new BackendUnavailableError(`backend 'auto': no backend could be initialised: ${passedOver.join('; ')}`);
}

/**
 * Selects and initialises the TensorFlow.js backend. 'auto' prefers libtensorflow
 * (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node), then WebGPU when a hardware GPU
 * adapter answers, then wasm, then cpu, and reports what it tried. An explicit backend that
 * cannot run is a BackendUnavailableError naming what is missing and how to install it; an
 * unknown name is a ConfigError listing the allowed ones. Repeated calls reuse the first
 * result (and only re-activate the backend if another became active meanwhile).
 */
export async function initBackend({ backend }: { backend: TfjsBackendChoice }): Promise<BackendInfo> {
  if (!(TFJS_BACKENDS as readonly unknown[]).includes(backend)) {
    const blas = backend === ('blas' as string) ? ' ("blas" is stalelab\'s native backend, not a TensorFlow.js one: name it in a run config)' : '';
    throw new ConfigError(`backend: got ${JSON.stringify(backend)}; allowed TensorFlow.js backends: ${TFJS_BACKENDS.join(', ')}${blas}`);
  }
  let pending = settled.get(backend);
  if (pending === undefined) {
    pending = select(backend);
    settled.set(backend, pending);
    // A failure is not remembered: installing the missing package and retrying should work.
    pending.catch(() => settled.delete(backend));
  }
  const result = await pending;
  if (tf.getBackend() !== result.name && !(await tf.setBackend(result.name))) {
    settled.delete(backend);
    throw new BackendUnavailableError(`backend '${backend}': '${result.name}' was initialised before but could not be re-activated`);
  }
  return result;
}
