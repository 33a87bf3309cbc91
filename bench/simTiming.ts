import type { GradientOracle } from '../src/oracle/oracle.ts';
import { runExperiment } from '../src/run/runExperiment.ts';
import { median } from './figures.ts';

export interface SimTiming {
  /** Median wall time between consecutive updates (comparable with a median plain step). */
  medianMs: number;
  /** Mean wall time per update over the run after its first `skip` updates (throughput). */
  meanMs: number;
  /** Wall time between update s − 1 and s, for s = skip + 1 … steps. */
  intervals: number[];
  summary: Record<string, unknown>;
}

/**
 * Wall time per update of a simulated run, from a progress report after every update: set-up,
 * compute-thread start-up and the evaluations at the start and end fall outside the measured
 * span, and the first `skip` updates (kernel warm-up) are left out. `oracle`: train on this one
 * (the config then names no problem).
 */
export async function simPerUpdate(config: Record<string, unknown>, steps: number, skip = 8, oracle?: GradientOracle): Promise<SimTiming> {
  const at = new Float64Array(steps + 1).fill(NaN);
  const r = await runExperiment({ ...config, steps }, {
    progressIntervalSec: 0,
    onProgress: (p) => {
      // First report of each step: the engine's forced report after its final evaluation repeats the last one.
      if (Number.isNaN(at[p.step])) at[p.step] = performance.now();
    },
  }, oracle ? { oracle } : {});
  if (r.record.status !== 'finished') throw new Error(`bench: simulated run ${r.record.status}: ${r.record.message ?? ''}`);
  const diffs: number[] = [];
  for (let s = skip + 1; s <= steps; s++) diffs.push(at[s] - at[s - 1]);
  return { medianMs: median(diffs), intervals: diffs, meanMs: (at[steps] - at[skip]) / (steps - skip), summary: r.record.summary };
}
