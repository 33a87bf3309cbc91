import type { Batch } from '../src/data/dataset.ts';
import { parseRunConfig } from '../src/run/parseRunConfig.ts';
import { resolveProblem, type ProblemConfig } from '../src/run/problem.ts';

/**
 * ms per gradient of a run config's oracle alone (warmed up), on its minibatch stream with the
 * minibatch and gradient buffers reused as the engines reuse them: what an update costs before
 * the engine's own work (the rule's step, statistics, rows), which is the rest of its time.
 */
export async function gradientMs(config: Record<string, unknown>, count: number): Promise<number> {
  const parsed = await parseRunConfig({ ...config, steps: count });
  const { oracle } = await resolveProblem(parsed as ProblemConfig);
  try {
    const theta = oracle.init(1);
    const batches = oracle.batches(parsed.batchSize, 3);
    const g = new Float32Array(oracle.dim);
    let batch: Batch | undefined;
    for (let k = 0; k < 20; k++) await oracle.gradient(theta, (batch = batches.at(k, batch)), g);
    const t0 = performance.now();
    for (let k = 0; k < count; k++) await oracle.gradient(theta, (batch = batches.at(k, batch)), g);
    return (performance.now() - t0) / count;
  } finally {
    oracle.dispose();
  }
}
