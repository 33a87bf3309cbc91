import { ConfigError } from '../../config/validate.ts';
import { makeBatchSource } from '../../data/batchSource.ts';
import type { Batch, Dataset, Split, SplitName } from '../../data/dataset.ts';
import { atMostRows } from '../../data/subset.ts';
import { initParams } from '../../models/initParams.ts';
import { sizeOf, type Model } from '../../models/model.ts';
import type { ModelSpec } from '../../models/modelSpec.ts';
import type { Evaluation, GradientOracle, GradientResult } from '../../oracle/oracle.ts';
import type { BlasAddon } from './blasAddon.ts';
import { netProgram } from './netProgram.ts';

export interface BlasOracleOptions {
  addon: BlasAddon;
  spec: ModelSpec;
  /** The zoo's model of `spec` (its parameter layout and initialisation). */
  model: Model;
  dataset: Dataset;
  /** Evaluate on at most this many seeded rows of each split. */
  evalSubset?: number;
  evalSeed?: number;
}

/**
 * The gradient oracle of a dense or LeNet model computed by the native addon (OpenBLAS sgemm, one
 * thread): the same model, θ layout, initialisation, minibatches and losses as the TensorFlow.js
 * model oracle (mean softmax cross-entropy or squared error), with no tensors and no copies of θ
 * or the batch. A call reads θ before it returns, so Hogwild!/Leashed views stay valid.
 */
export function createBlasOracle(opts: BlasOracleOptions): GradientOracle {
  const { addon, spec, model, dataset } = opts;
  if (model.stateDim > 0) throw new ConfigError(`backend "blas": ${model.description} has batch-norm state, which it does not run`);
  const program = netProgram(spec, model);
  const regression = dataset.task === 'regression';
  const net = addon.createNet(program, regression ? 1 : 0, model.outputSize, model.dim);
  const inputSize = sizeOf(dataset.inputShape);
  const evalSplits = new Map<SplitName, Split>();
  let disposed = false;
  const alive = (): void => {
    if (disposed) throw new Error('blasOracle: used after dispose()');
  };
  return {
    dim: model.dim,
    description: `${model.description} on ${dataset.name}`,
    trainSize: dataset.train.size,
    ...(regression ? {} : { classes: dataset.numClasses }),
    state: new Float32Array(0),
    init: (seed) => initParams(model, seed),
    batches: (batchSize, seed) => makeBatchSource(dataset.train, inputSize, batchSize, seed),
    async gradient(theta: Float32Array, batch: Batch, out?: Float32Array): Promise<GradientResult> {
      alive();
      const g = out?.length === model.dim ? out : new Float32Array(model.dim);
      const loss = addon.gradient(net, theta, batch.x, batch.y, batch.size, g);
      return { loss, g };
    },
    async evaluate(theta: Float32Array, name: SplitName): Promise<Evaluation> {
      alive();
      let split = evalSplits.get(name);
      if (!split) {
        split = atMostRows(dataset[name], opts.evalSubset ?? Infinity, opts.evalSeed ?? 0);
        evalSplits.set(name, split);
      }
      if (split.size === 0) throw new RangeError(`blasOracle: the ${name} split of ${dataset.name} is empty`);
      const [lossSum, correct] = addon.evaluate(net, theta, split.x, split.y, split.size);
      return { loss: lossSum / split.size, accuracy: regression ? null : correct / split.size };
    },
    foldStats() {},
    dispose() {
      disposed = true;
      evalSplits.clear();
    },
  };
}
