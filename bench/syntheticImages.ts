import type { Dataset } from '../src/data/dataset.ts';
import { makeRng } from '../src/rng/rng.ts';

/** Random images and labels of a real dataset's shape: step timings do not depend on pixel values. */
export function syntheticImages(name: string, inputShape: number[], numClasses: number, rows: number, seed = 1, testRows = rows): Dataset {
  const rng = makeRng(seed);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const split = (n: number) => {
    const x = new Float32Array(n * size);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = rng.int(numClasses);
    return { x, y, size: n };
  };
  return { name, task: 'classification', inputShape, numClasses, train: split(rows), test: split(testRows) };
}
