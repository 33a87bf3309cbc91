import type { Batch, Split } from '../data/dataset.ts';
import { epochPermutation } from '../data/batchSource.ts';

/**
 * Minibatch number k of one seeded order, computable by any thread on its own: sample s = k·B + i
 * is row perm_e[s mod N] of epoch e = ⌊s / N⌋ (epochPermutation: the order makeBatchSource walks
 * sequentially). Threads take k from a shared counter, so together they walk this order without
 * repeating a batch.
 */
export function makeIndexedBatches(split: Split, batchSize: number, seed: number): (k: number) => Batch {
  const n = split.size;
  if (n < 1) throw new RangeError('training split is empty');
  const width = split.x.length / n;
  // The two newest epochs: a batch straddles at most two, and threads are never further apart.
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
  return (k) => {
    const x = new Float32Array(batchSize * width);
    const y = split.y instanceof Int32Array ? new Int32Array(batchSize) : new Float32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      const s = k * batchSize + i;
      const row = perm(Math.floor(s / n))[s % n];
      x.set(split.x.subarray(row * width, (row + 1) * width), i * width);
      y[i] = split.y[row];
    }
    return { x, y, size: batchSize, index: k, samplesBefore: k * batchSize };
  };
}
