import { ConfigError } from '../config/validate.ts';
import { makeRng, mixSeed } from '../rng/rng.ts';
import type { Batch, BatchSource, Split } from './dataset.ts';

/** Epoch e's order of the rows 0…n−1: a fresh permutation seeded by (seed, e). */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  return makeRng(mixSeed(seed, epoch)).shuffle(Int32Array.from({ length: n }, (_, i) => i));
}

/**
 * An endless seeded stream of minibatches of `split`. The stream walks sample s = k·B + i of
 * batch k through row perm_e[s mod N] of epoch e = ⌊s / N⌋, each epoch a fresh permutation
 * (epochPermutation), so every epoch visits every row exactly once; a batch may straddle two
 * epochs. This is the same order as threads/indexedBatches.ts, so both engines see the same
 * batches for one seed. Each batch holds fresh copies of its rows.
 */
export function makeBatchSource(split: Split, inputSize: number, batchSize: number, seed: number): BatchSource {
  const n = split.size;
  if (!Number.isInteger(inputSize) || inputSize < 1 || split.x.length !== n * inputSize) {
    throw new ConfigError(`inputSize: expected the row width, ${split.x.length} features / ${n} rows = ${split.x.length / n}, got ${inputSize}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) {
    throw new ConfigError(`batchSize: expected an integer in 1…${n} (the split size), got ${batchSize}`);
  }
  if (!Number.isInteger(seed)) throw new ConfigError(`seed: expected an integer, got ${seed}`);
  const regression = !(split.y instanceof Int32Array);
  let epoch = 0;
  let perm = epochPermutation(n, seed, 0);
  let pos = 0;
  let index = 0;
  return {
    next(): Batch {
      const x = new Float32Array(batchSize * inputSize);
      const y = regression ? new Float32Array(batchSize) : new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        if (pos === n) {
          perm = epochPermutation(n, seed, ++epoch);
          pos = 0;
        }
        const row = perm[pos++];
        x.set(split.x.subarray(row * inputSize, (row + 1) * inputSize), i * inputSize);
        y[i] = split.y[row];
      }
      const batch = { x, y, size: batchSize, index, samplesBefore: index * batchSize };
      index++;
      return batch;
    },
  };
}
