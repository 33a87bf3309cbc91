import type { Rng } from '../../rng/rng.ts';
import { explicitTiming } from './explicitTiming.ts';
import { gammaTiming } from './gammaTiming.ts';
import { roundRobinTiming } from './roundRobinTiming.ts';
import type { Timing } from './timing.ts';
import { DEFAULT_UNIFORM_RANGE, type TimingSpec } from './timingSpec.ts';

/** Per-worker mean job times of a gamma spec (heterogeneous ones drawn from `rng`). */
export function workerMeans(spec: Extract<TimingSpec, { kind: 'gamma' }>, workers: number, rng: Rng): number[] {
  if (spec.heterogeneity === 'given') return [...spec.means!];
  if (spec.heterogeneity === 'homogeneous') return new Array<number>(workers).fill(1);
  const [lo, hi] = spec.range ?? DEFAULT_UNIFORM_RANGE;
  return Array.from({ length: workers }, () => lo + (hi - lo) * rng.uniform());
}

/** The timing model of a validated spec; `rng` is the run's timing stream. */
export function makeTiming(spec: TimingSpec, workers: number, rng: Rng): Timing {
  switch (spec.kind) {
    case 'gamma':
      return gammaTiming(spec.shape, workerMeans(spec, workers, rng.fork(-1)).map((m) => m * spec.meanTime), rng);
    case 'round-robin':
      return roundRobinTiming(workers);
    case 'schedule':
      return explicitTiming(spec.order, spec.repeat);
  }
}
