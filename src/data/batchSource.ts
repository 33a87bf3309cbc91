import { ConfigError } from '../config/validate.ts';
import { makeRng, mixSeed } from '../rng/rng.ts';
import type { Batch, BatchSource, Split } from './dataset.ts';

/** Epoch e's order of the rows 0…n−1: a fresh permutation seeded by (seed, e). */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  // A plain loop: Int32Array.from with a map function took 4 ms more on MNIST's 60,000 rows.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return makeRng(mixSeed(seed, epoch)).shuffle(order);
}

/**
 * The seeded minibatches of `split`, addressable by index so any thread or process computes the
 * same batch k: sample s = k·B + i is row perm_e[s mod N] of epoch e = ⌊s / N⌋, each epoch a
 * fresh permutation (epochPermutation), so every epoch visits every row exactly once; a batch may
 * straddle two epochs. Each batch holds fresh copies of its rows, or overwrites those of `reuse`.
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
  // The two newest epochs: a batch straddles at most two, and readers are never further apart.
  const perms = new Map<number, Int32Array>();
  const perm = (epoch: number): Int32Array => {
    let p = perms.get(epoch);
    if (!p) {
      p = epochPermutation(n, seed, epoch);
      if (perms.size >= 2) perms.delete(Math.min(...perms.keys()));
      perms.set(epoch, p);
    }
    return p;
  };
  const at = (k: number, reuse?: Batch): Batch => {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`batch index: expected an integer ≥ 0, got ${k}`);
    const fits = reuse !== undefined && reuse.x.length === batchSize * inputSize && reuse.y.length === batchSize && reuse.y instanceof (regression ? Float32Array : Int32Array);
    if (reuse !== undefined && !fits) throw new RangeError('batch reuse: expected a batch of this source');
    const x = fits ? reuse.x : new Float32Array(batchSize * inputSize);
    const y = fits ? reuse.y : regression ? new Float32Array(batchSize) : new Int32Array(batchSize);
    let s = k * batchSize;
    let epoch = Math.floor(s / n);
    let p = perm(epoch);
    let pos = s - epoch * n;
    for (let i = 0; i < batchSize; i++, s++, pos++) {
      if (pos === n) {
        p = perm(++epoch);
        pos = 0;
      }
      const row = p[pos];
      x.set(split.x.subarray(row * inputSize, (row + 1) * inputSize), i * inputSize);
      y[i] = split.y[row];
    }
    return { x, y, size: batchSize, index: k, samplesBefore: k * batchSize };
  };
  let cursor = 0;
  return { at, next: () => at(cursor++) };
}
