import type { BackendChoice } from '../backend/backendNames.ts';
import { ConfigError } from '../config/validate.ts';
import type { ParsedDatasetSpec } from '../data/datasetSpec.ts';
import type { ModelSpec } from '../models/modelSpec.ts';
import { builtinObjectiveOracle, type BuiltinObjective } from '../oracle/builtinObjectives.ts';
import type { OracleOptions } from '../oracle/oracleOptions.ts';
import type { GradientOracle } from '../oracle/oracle.ts';

/** The fields of a validated config that say what to train on. */
export interface ProblemConfig {
  objective?: BuiltinObjective;
  model?: ModelSpec;
  dataset?: ParsedDatasetSpec;
  backend?: BackendChoice;
  oracleOptions?: OracleOptions;
  evalSubset?: number;
  seed: number;
}

export interface BackendRecord {
  name: string;
  reason?: string;
  versions: Record<string, string>;
}

/** A problem ready to train on, in this thread or process. */
export interface ResolvedProblem {
  oracle: GradientOracle;
  backend: BackendRecord;
  /** Whether the run layer built it (and so disposes of it). */
  owned: boolean;
  /** A dataset loaded from a partial copy (allowPartial): what was short, for the run record. */
  partialData?: { missing: readonly string[] };
}

/** The tfjs backend active now, read without importing TensorFlow.js (null when it is not loaded). */
function activeTfBackend(): string | null {
  return (globalThis as { _tfengine?: { backendName?: string } })._tfengine?.backendName ?? null;
}

/**
 * Key of the model + dataset + backend a config trains on, for reusing one oracle across the runs
 * of a sweep; null for built-in objectives (cheap, and seeded per run).
 */
export function problemKey(config: ProblemConfig): string | null {
  if (config.model === undefined) return null;
  return JSON.stringify([config.model, config.dataset, config.backend ?? 'auto', config.oracleOptions ?? {}, config.evalSubset ?? null]);
}

/** Whether the config names a problem itself (otherwise the caller passes an oracle). */
export const namesProblem = (c: ProblemConfig): boolean => c.objective !== undefined || c.model !== undefined;

/**
 * The gradient oracle of a run, resolved once for any engine: the one the caller passes, a
 * built-in objective, or a zoo model on a dataset with its TensorFlow.js backend (loaded only
 * then). `worker` is the worker thread or process the oracle computes for (−1: the run's own).
 */
export async function resolveProblem(config: ProblemConfig, opts: { oracle?: GradientOracle; worker?: number } = {}): Promise<ResolvedProblem> {
  if (opts.oracle) {
    if (namesProblem(config)) {
      throw new ConfigError('config.objective / config.model: an oracle was passed to the run; leave objective, model and dataset out of the config');
    }
    const tf = activeTfBackend();
    const reason = tf ? 'oracle passed by the caller; the TensorFlow.js backend active when the run started' : 'oracle passed by the caller; TensorFlow.js not loaded';
    return { oracle: opts.oracle, backend: { name: tf ?? 'js', reason, versions: { node: process.versions.node } }, owned: false };
  }
  if (config.objective) {
    return {
      oracle: builtinObjectiveOracle(config.objective, config.seed, opts.worker ?? -1),
      backend: { name: 'js', reason: 'built-in objective: plain JavaScript, no TensorFlow.js', versions: { node: process.versions.node } },
      owned: true,
    };
  }
  if (config.model === undefined || config.dataset === undefined) {
    throw new ConfigError('config: nothing to train; give objective, or model + dataset, or pass an oracle to the run');
  }
  const [{ loadParsedDataset }, { buildModelOracle }] = await Promise.all([import('../data/loadDataset.ts'), import('../oracle/buildModelOracle.ts')]);
  const dataset = await loadParsedDataset(config.dataset);
  const { oracle, backend } = await buildModelOracle(config.model, dataset, { backend: config.backend ?? 'auto', oracleOptions: config.oracleOptions, evalSubset: config.evalSubset });
  return { oracle, backend, owned: true, ...(dataset.partial ? { partialData: { missing: dataset.missing ?? [] } } : {}) };
}
