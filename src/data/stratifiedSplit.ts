import type { Rng } from '../rng/rng.ts';

/**
 * A seeded class-stratified split: of each class's examples (in `labels`), `testPerClass` go to
 * test and the rest to train, chosen by a shuffle per class; `testPerClass` is one count for
 * every class or one per class. Each side is then shuffled, so its rows are not grouped by
 * class. Returns row indices into `labels`.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  numClasses: number,
  testPerClass: number | readonly number[],
  rng: Rng,
): { train: Int32Array; test: Int32Array } {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((rows, c) => {
    const want = typeof testPerClass === 'number' ? testPerClass : testPerClass[c];
    if (rows.length < want) throw new RangeError(`stratifiedSplit: class ${c} has ${rows.length} examples, fewer than testPerClass = ${want}`);
    rng.shuffle(rows);
    rows.forEach((row, k) => (k < want ? test : train).push(row));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}
