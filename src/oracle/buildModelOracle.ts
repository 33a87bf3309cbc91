import type { BackendChoice } from '../backend/backendNames.ts';
import { BackendUnavailableError, initBackend } from '../backend/initBackend.ts';
import { loadBlasAddon } from '../backend/blas/blasAddon.ts';
import { createBlasOracle } from '../backend/blas/blasOracle.ts';
import { BLAS_MODELS } from '../backend/blas/netProgram.ts';
import type { Dataset } from '../data/dataset.ts';
import type { ModelSpec } from '../models/modelSpec.ts';
import { buildModelFromSpec } from '../models/zoo.ts';
import { createModelOracle } from './modelOracle.ts';
import type { GradientOracle } from './oracle.ts';
import type { OracleOptions } from './oracleOptions.ts';

export interface OracleBackend {
  name: string;
  reason: string;
  versions: Record<string, string>;
}

/**
 * The gradient oracle of a zoo model on a dataset, on the backend the config names. 'blas' is the
 * native OpenBLAS addon (dense and LeNet models); 'auto' takes a TensorFlow.js GPU backend when
 * one answers, else blas when it is built and runs the model, else wasm, else cpu; the other
 * names are TensorFlow.js backends. The backend record says what ran and why.
 */
export async function buildModelOracle(
  spec: ModelSpec,
  dataset: Dataset,
  opts: { backend: BackendChoice; oracleOptions?: OracleOptions; evalSubset?: number },
): Promise<{ oracle: GradientOracle; backend: OracleBackend }> {
  const blasRuns = (BLAS_MODELS as readonly string[]).includes(spec.name);
  if (opts.backend === 'blas' && !blasRuns) throw new BackendUnavailableError(`backend 'blas': runs ${BLAS_MODELS.join(', ')}; "${spec.name}" needs a TensorFlow.js backend (wasm, webgpu, cpu)`);
  const model = buildModelFromSpec(spec, dataset.inputShape, dataset.numClasses, dataset.task);
  const blas = () => {
    const loaded = loadBlasAddon();
    if ('error' in loaded) return { error: loaded.error } as const;
    const info = loaded.addon.info();
    return { oracle: createBlasOracle({ addon: loaded.addon, spec, model, dataset, evalSubset: opts.evalSubset }), versions: { openblas: info.config }, core: info.core } as const;
  };
  if (opts.backend === 'blas') {
    const b = blas();
    if ('error' in b) throw new BackendUnavailableError(`backend 'blas': ${b.error}`);
    return { oracle: b.oracle, backend: { name: 'blas', reason: `requested 'blas': native OpenBLAS (${b.core} kernels, one thread)`, versions: b.versions } };
  }
  const tf = await initBackend({ backend: opts.backend });
  if (opts.backend === 'auto' && (tf.name === 'wasm' || tf.name === 'cpu') && blasRuns) {
    const b = blas();
    if (!('error' in b)) {
      return { oracle: b.oracle, backend: { name: 'blas', reason: `auto chose 'blas': native OpenBLAS (${b.core} kernels) runs ${spec.name}, faster than TensorFlow.js '${tf.name}' (${tf.reason})`, versions: { ...tf.versions, ...b.versions } } };
    }
    const oracle = createModelOracle({ model, dataset, ...(opts.oracleOptions ?? {}), ...(opts.evalSubset !== undefined ? { evalSubset: opts.evalSubset } : {}) });
    return { oracle, backend: { name: tf.name, reason: `${tf.reason}; blas passed over (${b.error})`, versions: tf.versions } };
  }
  const oracle = createModelOracle({ model, dataset, ...(opts.oracleOptions ?? {}), ...(opts.evalSubset !== undefined ? { evalSubset: opts.evalSubset } : {}) });
  return { oracle, backend: { name: tf.name, reason: tf.reason, versions: tf.versions } };
}
