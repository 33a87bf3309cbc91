import type { Rng } from '../rng/rng.ts';

/**
 * A seeded class-stratified split: of each class's examples (in `labels`), `testPerClass` go to
 * test and the rest to train, chosen by a shuffle per class. Each side is then shuffled, so its
 * rows are not grouped by class. Returns row indices into `labels`.
 */
export function stratifiedSplit(labels: ArrayLike<number>, numClasses: number, testPerClass: number, rng: Rng): { train: Int32Array; test: Int32Array } {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((rows, c) => {
    if (rows.length < testPerClass) throw new RangeError(`stratifiedSplit: class ${c} has ${rows.length} examples, fewer than testPerClass = ${testPerClass}`);
    rng.shuffle(rows);
    rows.forEach((row, k) => (k < testPerClass ? test : train).push(row));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}
