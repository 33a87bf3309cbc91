import { initBackend } from '../backend/initBackend.ts';
import { loadDataset } from '../data/loadDataset.ts';
import { buildModel } from '../models/zoo.ts';
import { createModelOracle } from '../oracle/modelOracle.ts';
import { makeIndexedBatches } from './indexedBatches.ts';
import type { BackendInfo } from './loadThreadObjective.ts';
import type { ThreadObjective } from './threadObjective.ts';
import type { ThreadsConfig } from './threadsConfig.ts';

/**
 * A TensorFlow.js model on a dataset, built inside the calling thread (each worker has its own
 * tfjs and backend), with minibatch k drawn from the run's one seeded order.
 */
export async function makeModelObjective(config: ThreadsConfig): Promise<{ objective: ThreadObjective; backend: BackendInfo }> {
  const { name, reason, versions } = await initBackend({ backend: config.backend });
  const dataset = await loadDataset(config.dataset as Parameters<typeof loadDataset>[0]);
  const model = buildModel(config.model as Parameters<typeof buildModel>[0], dataset.inputShape, dataset.numClasses, dataset.task);
  // Only the main thread evaluates; workers never call evaluate, so the subset is harmless there.
  const oracle = createModelOracle({ model, dataset, ...(config.evalSubset !== null ? { evalSubset: config.evalSubset, evalSeed: config.seed } : {}) });
  if (oracle.state.length > 0) {
    oracle.dispose();
    throw new Error('model: batch-norm models are not supported by the threads engine (no shared running statistics)');
  }
  const batchAt = makeIndexedBatches(dataset.train, config.batchSize, config.seed);
  const objective: ThreadObjective = {
    dim: oracle.dim,
    description: oracle.description,
    trainSize: dataset.train.size,
    init: (seed) => oracle.init(seed),
    async gradient(theta, k) {
      const { loss, g } = await oracle.gradient(theta, batchAt(k));
      return { loss, g };
    },
    evaluate: (theta, split) => oracle.evaluate(theta, split),
    dispose: () => oracle.dispose(),
  };
  return { objective, backend: { name, reason, versions } };
}
