import type { Timing } from './timing.ts';

/**
 * Workers finish in the order 0, 1, …, N−1, 0, … at times 1/N, 2/N, … (every job takes one time
 * unit, worker i started i/N late). After the first N updates the staleness is exactly N − 1.
 */
export function roundRobinTiming(n: number): Timing {
  let k = 0;
  const timing: Timing = {
    worker: -1,
    time: 0,
    next() {
      timing.worker = k % n;
      k++;
      timing.time = k / n;
    },
    round: () => 1,
    // Worker i's jobs end at (i + 1)/n, then every time unit; k arrivals have happened so far.
    finishTime: (i) => (i + 1) / n + Math.max(0, Math.ceil((k - i) / n)),
    describe: () => ({ timing: 'round-robin' }),
  };
  return timing;
}
