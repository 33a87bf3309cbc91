import type { GradientOracle } from '../src/oracle/oracle.ts';
import { runExperiment } from '../src/run/runExperiment.ts';
import type { SimConfigInput } from '../src/engines/sim/simConfig.ts';
import { median } from './figures.ts';

export interface SimTiming {
  /** Median wall time between consecutive updates (comparable with a median plain step). */
  medianMs: number;
  /** Mean wall time per update over the run after its first `skip` updates (throughput). */
  meanMs: number;
  gradientPasses: number | null;
}

/**
 * Wall time per update of a simulated run on `oracle`, from a progress report after every
 * update: set-up and the evaluations at the start and end fall outside the measured span, and
 * the first `skip` updates (kernel warm-up) are left out.
 */
export async function simPerUpdate(oracle: GradientOracle, config: Omit<SimConfigInput, 'steps'>, steps: number, skip = 8): Promise<SimTiming> {
  const at = new Float64Array(steps + 1).fill(NaN);
  const r = await runExperiment({ ...config, steps } as SimConfigInput, {
    progressIntervalSec: 0,
    onProgress: (p) => {
      // First report of each step: the engine's forced report after its final evaluation repeats the last one.
      if (Number.isNaN(at[p.step])) at[p.step] = performance.now();
    },
  }, { oracle });
  if (r.record.status !== 'finished') throw new Error(`bench: simulated run ${r.record.status}: ${r.record.message ?? ''}`);
  const diffs: number[] = [];
  for (let s = skip + 1; s <= steps; s++) diffs.push(at[s] - at[s - 1]);
  return {
    medianMs: median(diffs),
    meanMs: (at[steps] - at[skip]) / (steps - skip),
    gradientPasses: (r.record.summary?.gradient_passes as number | null) ?? null,
  };
}
