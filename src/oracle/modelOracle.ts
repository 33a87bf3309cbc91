import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/validate.ts';
import { makeBatchSource } from '../data/batchSource.ts';
import type { Batch, BatchSource, Dataset, Split, SplitName } from '../data/dataset.ts';
import { atMostRows } from '../data/subset.ts';
import { foldRunningStats } from '../models/batchNorm.ts';
import { flatten, unflatten } from '../models/flatTensors.ts';
import { initParams, initState } from '../models/initParams.ts';
import { sizeOf, type Model } from '../models/model.ts';
import { correctCount, perExampleLoss, targetTensor } from './modelLoss.ts';
import { modelGradients } from './modelGradients.ts';
import type { Evaluation, GradientOracle, GradientResult } from './oracle.ts';
import { oracleOptionsSchema } from './oracleOptions.ts';

export interface ModelOracleOptions {
  model: Model;
  dataset: Dataset;
  /**
   * Adds ½·wd·‖θ‖² to the loss and wd·θ to the gradient. Default 0: the engines add weight decay
   * at the master (ALGORITHMS.md §2), so set it only when no engine does, or it counts twice.
   */
  weightDecay?: number;
  /** Rows per forward pass in `evaluate` (bounds memory, not the result). Default 1000. */
  evalBatchSize?: number;
  /**
   * Evaluate on this many rows of each split instead of all of them: a fixed subset drawn once
   * with `evalSeed`, so every evaluation of a run sees the same rows. Default: the whole split.
   */
  evalSubset?: number;
  /** Seed of the evaluation subset. Default 0. */
  evalSeed?: number;
  /** Batch-norm running statistics: state ← m·state + (1 − m)·batch. Default 0.9. */
  bnMomentum?: number;
}

const numericOptions = oracleOptionsSchema
  .extend({
    weightDecay: z.number().min(0).finite().default(0),
    evalSubset: z.number().int().min(1).optional(),
    evalSeed: z.number().int().default(0),
  })
  .strict();

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The gradient oracle of a zoo model on an in-memory dataset: mean softmax cross-entropy
 * (classification) or mean squared error (regression) of a minibatch, differentiated by tfjs on
 * the current backend with respect to the flat θ. Every call uploads θ once and downloads the
 * loss, gradient and batch-norm statistics together in one read; `gradients` does the same for
 * several (θ, batch) pairs in one pass; all tensors are disposed before it returns. A NaN or infinite loss is returned as is (the engine marks the run diverged).
 */
export function createModelOracle(options: ModelOracleOptions): GradientOracle {
  const { model, dataset, ...rest } = options;
  const opts = parseConfig(numericOptions, rest, 'modelOracle');
  const { task } = dataset;
  if (!sameShape(model.inputShape, dataset.inputShape)) {
    throw new ConfigError(
      `modelOracle: model ${model.description} expects inputs [${model.inputShape.join(', ')}], dataset ${dataset.name} has [${dataset.inputShape.join(', ')}]`,
    );
  }
  const outputs = task === 'classification' ? dataset.numClasses : 1;
  if (model.outputSize !== outputs) {
    throw new ConfigError(
      `modelOracle: model ${model.description} has ${model.outputSize} outputs, ${task} on ${dataset.name} needs ${outputs}`,
    );
  }
  const inputSize = sizeOf(dataset.inputShape);
  const paramShapes = model.paramSpecs.map((p) => p.shape);
  const stateShapes = model.stateSpecs.map((s) => s.shape);
  const state = initState(model);
  const evalSplits = new Map<SplitName, Split>();
  let disposed = false;

  const alive = (): void => {
    if (disposed) throw new Error('modelOracle: used after dispose()');
  };
  const checkTheta = (theta: Float32Array): void => {
    if (theta.length !== model.dim) throw new RangeError(`modelOracle: θ has length ${theta.length}, expected ${model.dim}`);
  };
  const evalSplit = (name: SplitName): Split => {
    let split = evalSplits.get(name);
    if (!split) {
      split = atMostRows(dataset[name], opts.evalSubset ?? Infinity, opts.evalSeed);
      evalSplits.set(name, split);
    }
    return split;
  };

  const checkBatch = (batch: Batch): void => {
    if (batch.size < 1 || batch.x.length !== batch.size * inputSize || batch.y.length !== batch.size) {
      throw new RangeError(
        `modelOracle: batch of size ${batch.size} needs ${batch.size * inputSize} features and ${batch.size} labels, got ${batch.x.length} and ${batch.y.length}`,
      );
    }
  };

  async function gradient(theta: Float32Array, batch: Batch): Promise<GradientResult> {
    return (await gradients([theta], [batch]))[0];
  }

  /** All pairs in one device pass (modelGradients): equal to calling `gradient` for each. */
  async function gradients(thetas: Float32Array[], batches: Batch[]): Promise<GradientResult[]> {
    alive();
    if (thetas.length !== batches.length) {
      throw new RangeError(`modelOracle: ${thetas.length} parameter vectors but ${batches.length} batches`);
    }
    thetas.forEach(checkTheta);
    batches.forEach(checkBatch);
    if (thetas.length === 0) return [];
    const results = await modelGradients(model, task, dataset.inputShape, thetas, batches);
    if (opts.weightDecay > 0) results.forEach((r, i) => addWeightDecay(r, thetas[i], opts.weightDecay));
    return results;
  }

  async function evaluate(theta: Float32Array, splitName: SplitName): Promise<Evaluation> {
    alive();
    checkTheta(theta);
    const split = evalSplit(splitName);
    if (split.size === 0) throw new RangeError(`modelOracle: the ${splitName} split of ${dataset.name} is empty`);
    const kept: tf.Tensor[] = [];
    try {
      const params = tf.tidy(() => unflatten(tf.tensor1d(theta.slice()), paramShapes));
      kept.push(...params);
      const stateT = tf.tidy(() => unflatten(tf.tensor1d(state.slice()), stateShapes));
      kept.push(...stateT);
      // Per chunk [Σ loss, # correct], summed on the device and read once at the end.
      let totals = tf.zeros([2]);
      kept.push(totals);
      for (let start = 0; start < split.size; start += opts.evalBatchSize) {
        const rows = Math.min(opts.evalBatchSize, split.size - start);
        const next = tf.tidy(() => {
          const x = tf.tensor(split.x.subarray(start * inputSize, (start + rows) * inputSize), [rows, ...dataset.inputShape]);
          const target = targetTensor(split.y.subarray(start, start + rows), task);
          const { logits } = model.forward(params, x, 'eval', stateT);
          const correct = task === 'classification' ? correctCount(logits, target) : tf.scalar(0);
          return tf.add(totals, tf.stack([tf.sum(perExampleLoss(logits, target, task)), correct]));
        });
        totals.dispose();
        totals = next;
        kept[kept.length - 1] = totals;
      }
      const [lossSum, correct] = await totals.data();
      let loss = lossSum / split.size;
      if (opts.weightDecay > 0) loss += halfSquaredNorm(theta) * opts.weightDecay;
      return { loss, accuracy: task === 'classification' ? correct / split.size : null };
    } finally {
      tf.dispose(kept);
    }
  }

  return {
    dim: model.dim,
    description: `${model.description} on ${dataset.name}`,
    init: (seed: number) => initParams(model, seed),
    batches: (batchSize: number, seed: number): BatchSource =>
      makeBatchSource(dataset.train, inputSize, batchSize, seed),
    gradient,
    gradients,
    evaluate,
    state,
    foldStats(stats: Float32Array): void {
      alive();
      foldRunningStats(state, stats, opts.bnMomentum);
    },
    trainSize: dataset.train.size,
    ...(task === 'classification' ? { classes: dataset.numClasses } : {}),
    dispose(): void {
      disposed = true;
      evalSplits.clear();
    },
  };
}

function halfSquaredNorm(theta: Float32Array): number {
  let s = 0;
  for (let j = 0; j < theta.length; j++) s += theta[j] * theta[j];
  return 0.5 * s;
}

function addWeightDecay(result: GradientResult, theta: Float32Array, wd: number): void {
  result.loss += wd * halfSquaredNorm(theta);
  for (let j = 0; j < theta.length; j++) result.g[j] += wd * theta[j];
}
