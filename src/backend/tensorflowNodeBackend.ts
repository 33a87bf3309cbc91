import * as tf from '@tensorflow/tfjs';
import { errorText, type BackendAttempt } from './backendAttempt.ts';
import { packageVersion } from './packageVersion.ts';

/** Optional native bindings, GPU build first. Both register the backend 'tensorflow'. */
const candidates = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export const tensorflowInstallHint =
  'Install with: npm install @tensorflow/tfjs-node (CPU) or npm install @tensorflow/tfjs-node-gpu (CUDA), ' +
  'then allow its install script, which downloads libtensorflow: npm install-scripts approve <package> && npm rebuild <package>';

/**
 * Loads libtensorflow through @tensorflow/tfjs-node(-gpu). Both are optional dependencies that
 * are absent or broken on many machines (their install script downloads libtensorflow), so
 * every failure is caught and described, never thrown.
 */
export async function loadTensorflowNode(): Promise<BackendAttempt> {
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      // A variable specifier keeps TypeScript from requiring the optional package's types.
      const specifier: string = name;
      await import(specifier);
    } catch (error) {
      const installed = packageVersion(name) !== undefined;
      failures.push(`${name}: ${installed ? `failed to load (${errorText(error)})` : 'not installed'}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      failures.push(`${name}: loaded, but registered its backend with another copy of @tensorflow/tfjs-core (versions differ from @tensorflow/tfjs ${tf.version_core}?)`);
      continue;
    }
    try {
      if (!(await tf.setBackend('tensorflow'))) {
        failures.push(`${name}: loaded, but the 'tensorflow' backend failed to initialise`);
        continue;
      }
    } catch (error) {
      failures.push(`${name}: loaded, but the 'tensorflow' backend failed to initialise (${errorText(error)})`);
      continue;
    }
    const versions: Record<string, string> = {};
    const own = packageVersion(name);
    if (own !== undefined) versions[name.replace('@tensorflow/', '')] = own;
    return { ok: true, name: 'tensorflow', detail: `libtensorflow via ${name}`, versions };
  }
  return { ok: false, why: `@tensorflow/tfjs-node(-gpu) is not installed or failed to load (${failures.join('; ')})`, install: tensorflowInstallHint };
}
