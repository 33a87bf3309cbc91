import type { GradientOracle } from '../src/oracle/oracle.ts';
import { runExperiment } from '../src/sim/runExperiment.ts';
import type { SimConfigInput } from '../src/sim/simConfig.ts';

export interface SimTiming {
  /** Wall time per master update, fixed costs (set-up, evaluations at start and end) removed. */
  perUpdateMs: number;
  gradientPasses: number | null;
}

/**
 * Wall time per update of a simulated run on `oracle`: two runs of `steps` and `steps / 4`
 * updates, differenced, so that set-up and the evaluations every run makes at its start and end
 * cancel out.
 */
export async function simPerUpdate(oracle: GradientOracle, config: Omit<SimConfigInput, 'steps'>, steps: number): Promise<SimTiming> {
  const short = Math.max(1, Math.round(steps / 4));
  const long = await runExperiment({ ...config, steps } as SimConfigInput, undefined, { oracle });
  const brief = await runExperiment({ ...config, steps: short } as SimConfigInput, undefined, { oracle });
  for (const r of [long, brief]) if (r.record.status !== 'finished') throw new Error(`bench: simulated run ${r.record.status}: ${r.record.message ?? ''}`);
  const perUpdateMs = ((long.record.wallTimeSec - brief.record.wallTimeSec) * 1000) / (steps - short);
  return { perUpdateMs, gradientPasses: (long.record.summary?.gradient_passes as number | null) ?? null };
}
