import type { GradientOracle } from '../src/oracle/oracle.ts';
import { sgdUpdate } from '../src/rules/bases/thetaOps.ts';

/**
 * The oracle, with a plain SGD step of the same model on the same oracle (its own θ and
 * minibatches) run and timed beside every gradient the simulator asks of it: before it on even
 * calls, after it on odd ones, so that neither side gains from running second on warm
 * caches. Timed a few milliseconds apart, a run's passes and its plain steps see the same machine:
 * here the same gradient's speed drifts by 25 % between half-second blocks, so timings of separate
 * runs do not compare to within a few per cent.
 */
export function withPlainSteps(oracle: GradientOracle, batchSize: number): { oracle: GradientOracle; plainMs: number[] } {
  const theta = oracle.init(2);
  const batches = oracle.batches(batchSize, 2);
  const plainMs: number[] = [];
  const plainStep = async () => {
    const t0 = performance.now();
    const { g } = await oracle.gradient(theta, batches.next());
    sgdUpdate(theta, g, 0.01);
    plainMs.push(performance.now() - t0);
  };
  let calls = 0;
  const beside = async <T>(pass: () => Promise<T>): Promise<T> => {
    const first = calls++ % 2 === 0;
    if (first) await plainStep();
    const result = await pass();
    if (!first) await plainStep();
    return result;
  };
  // Without `gradients`, one call per gradient: `plainMs[k]` is the step beside the k-th.
  return { oracle: { ...oracle, gradient: (t, batch, out) => beside(() => oracle.gradient(t, batch, out)), gradients: undefined }, plainMs };
}
