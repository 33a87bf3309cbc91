import { ConfigError } from '../config/validate.ts';
import type { GradientOracle } from '../oracle/oracle.ts';
import { builtinObjectiveOracle } from './objectiveSpec.ts';
import type { SimConfig } from './simConfig.ts';

export interface BackendRecord {
  name: string;
  reason?: string;
  versions: Record<string, string>;
}

export interface ResolvedOracle {
  oracle: GradientOracle;
  backend: BackendRecord;
  /** Whether the engine built it (and so disposes of it). */
  owned: boolean;
}

/** The tfjs backend active now, read without importing TensorFlow.js (null when it is not loaded). */
function activeTfBackend(): { name: string; version?: string } | null {
  const engine = (globalThis as { _tfengine?: { backendName?: string } })._tfengine;
  if (!engine?.backendName) return null;
  return { name: engine.backendName };
}

/** The options of createModelOracle a config may pass (weight decay belongs to the rule). */
function checkOracleOptions(options: Record<string, unknown> | undefined): void {
  if (options && 'weightDecay' in options) {
    throw new ConfigError('config.oracleOptions.weightDecay: not allowed here; use ruleParams.weightDecay (the engine adds weight decay at the master, ALGORITHMS.md §2)');
  }
}

/** Key of the model + dataset + backend a config trains on, for reusing one oracle across runs. */
export function oracleKey(config: SimConfig): string | null {
  if (config.model === undefined) return null;
  return JSON.stringify([config.model, config.dataset, config.backend ?? 'auto', config.oracleOptions ?? {}]);
}

/**
 * The gradient oracle of a run: the one passed by the caller, a named objective, or a zoo model on
 * a dataset with its TensorFlow.js backend (loaded only then).
 */
export async function resolveOracle(config: SimConfig, given?: GradientOracle): Promise<ResolvedOracle> {
  if (given) {
    if (config.objective !== undefined || config.model !== undefined) {
      throw new ConfigError('config.objective / config.model: an oracle was passed to runExperiment; leave objective, model and dataset out of the config');
    }
    const tfBackend = activeTfBackend();
    return {
      oracle: given,
      backend: tfBackend
        ? { name: tfBackend.name, reason: 'oracle passed by the caller; the TensorFlow.js backend active when the run started', versions: { node: process.versions.node } }
        : { name: 'js', reason: 'oracle passed by the caller; TensorFlow.js not loaded', versions: { node: process.versions.node } },
      owned: false,
    };
  }
  if (config.objective) {
    return {
      oracle: builtinObjectiveOracle(config.objective, config.seed),
      backend: { name: 'js', reason: 'built-in objective: plain JavaScript, no TensorFlow.js', versions: { node: process.versions.node } },
      owned: true,
    };
  }
  if (config.model === undefined || config.dataset === undefined) {
    throw new ConfigError('config: nothing to train; give objective, or model + dataset, or pass an oracle to runExperiment');
  }
  checkOracleOptions(config.oracleOptions);
  const [{ initBackend }, { loadDataset }, { buildModel }, { createModelOracle }] = await Promise.all([
    import('../backend/initBackend.ts'),
    import('../data/loadDataset.ts'),
    import('../models/zoo.ts'),
    import('../oracle/modelOracle.ts'),
  ]);
  const info = await initBackend({ backend: config.backend ?? 'auto' });
  const dataset = await loadDataset(config.dataset as Parameters<typeof loadDataset>[0]);
  const model = buildModel(config.model as Parameters<typeof buildModel>[0], dataset.inputShape, dataset.numClasses, dataset.task);
  const oracle = createModelOracle({ model, dataset, ...(config.oracleOptions ?? {}) });
  return { oracle, backend: { name: info.name, reason: info.reason, versions: info.versions }, owned: true };
}

/**
 * Validate the parts of a config its own schema leaves to their owners (model and dataset
 * specs), so that a sweep reports every bad combination before running any.
 */
export async function validateProblem(config: SimConfig): Promise<void> {
  if (config.dataset !== undefined) {
    const { parseDatasetSpec } = await import('../data/datasetSpec.ts');
    parseDatasetSpec(config.dataset, 'config.dataset');
  }
  if (config.model !== undefined) {
    const { parseModelSpec } = await import('../models/zoo.ts');
    parseModelSpec(config.model, 'config.model');
  }
  checkOracleOptions(config.oracleOptions);
}
