import { makeRng } from '../rng/rng.ts';
import type { Split } from './dataset.ts';

/**
 * A seeded random subset of `size` rows of `split` (without replacement), kept in the split's
 * own row order. The rows are the first `size` of one seeded permutation, so for one seed a
 * smaller subset is contained in a larger one. `size` equal to the split's returns the split.
 */
export function subsetSplit(split: Split, size: number, seed: number): Split {
  if (!Number.isInteger(size) || size < 1 || size > split.size) {
    throw new RangeError(`subset size: expected an integer in 1…${split.size}, got ${size}`);
  }
  if (size === split.size) return split;
  const width = split.x.length / split.size;
  const rows = makeRng(seed).shuffle(Int32Array.from({ length: split.size }, (_, i) => i)).subarray(0, size).sort();
  const x = new Float32Array(size * width);
  const y = split.y instanceof Int32Array ? new Int32Array(size) : new Float32Array(size);
  rows.forEach((r, i) => {
    x.set(split.x.subarray(r * width, (r + 1) * width), i * width);
    y[i] = split.y[r];
  });
  return { x, y, size };
}

/** At most `rows` seeded rows of `split` (the whole split when it has no more): an evaluation subset. */
export function atMostRows(split: Split, rows: number, seed: number): Split {
  return rows >= split.size ? split : subsetSplit(split, rows, seed);
}
