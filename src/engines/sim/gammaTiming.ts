import type { Rng } from '../../rng/rng.ts';
import { EventHeap } from './eventHeap.ts';
import type { Timing } from './timing.ts';

/**
 * Gamma job times (ALGORITHMS.md §1): worker i's jobs take Gamma(shape, mean m_i), each worker
 * drawing from its own seeded stream, so a worker's job times do not depend on the others.
 */
export function gammaTiming(shape: number, means: readonly number[], rng: Rng): Timing {
  const n = means.length;
  const streams = means.map((_, i) => rng.fork(i));
  const draw = (i: number): number => streams[i].gamma(shape, means[i]);
  const heap = new EventHeap(n);
  // Each worker draws from its own stream, so drawing the first jobs now or at the first next() is the same.
  const due = new Float64Array(n);
  for (let i = 0; i < n; i++) heap.push((due[i] = draw(i)), i);
  const timing: Timing = {
    worker: -1,
    time: 0,
    next() {
      heap.pop();
      const i = heap.lastWorker;
      const t = heap.lastTime;
      heap.push((due[i] = t + draw(i)), i);
      timing.worker = i;
      timing.time = t;
    },
    finishTime: (i) => due[i],
    round() {
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, draw(i));
      return max;
    },
    describe: () => ({
      timing: 'gamma',
      shape,
      mean_min: Math.min(...means),
      mean_max: Math.max(...means),
      means: means.map((m) => Number(m.toPrecision(6))).join(' '),
    }),
  };
  return timing;
}
