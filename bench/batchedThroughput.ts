import { initBackend } from '../src/backend/initBackend.ts';
import { median, type FigureLog } from './figures.ts';
import { simPerUpdate } from './simTiming.ts';
import { benchOracle } from './trainStep.ts';

/**
 * Target 3: throughput (updates/s) of an N = 32 simulation with gradientBatching 'in-flight'
 * ≥ 2× the one-by-one engine ('off'), same model and backend. Alternated `rounds` times, medians
 * compared. (That the two give equal results is a test: test/simBatchedGradients.test.ts.)
 */
export async function batchedThroughput(log: FigureLog, models: string[], batchSize: number, rounds: number, steps: Record<string, number>): Promise<void> {
  await initBackend({ backend: 'wasm' });
  console.log('\n== Target 3: batched in-flight gradients vs one-by-one (N = 32, wasm)');
  for (const model of models) {
    const oracle = benchOracle(model, 4096);
    const perUpdate = { off: [] as number[], 'in-flight': [] as number[] };
    let passes: number | null = null;
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['off', 'in-flight'] as const) {
        const t = await simPerUpdate(oracle, { rule: 'asgd', lr: 0.01, workers: 32, batchSize, seed: 1, divergeLoss: 'off', gradientBatching: mode }, steps[model]);
        perUpdate[mode].push(t.meanMs);
        if (mode === 'in-flight') passes = t.gradientPasses;
      }
    }
    oracle.dispose();
    const off = 1000 / median(perUpdate.off);
    const batched = 1000 / median(perUpdate['in-flight']);
    log.add({ name: `sim_throughput.off.N32.${model}.b${batchSize}`, backend: 'wasm', value: off, unit: 'updates/s', note: `median over ${rounds} rounds` });
    const f = log.add({
      name: `sim_throughput.in-flight.N32.${model}.b${batchSize}`,
      backend: 'wasm',
      value: batched,
      unit: 'updates/s',
      ratio: batched / off,
      ratioTo: `sim_throughput.off.N32.${model}.b${batchSize}`,
      note: `${passes} passes for ${steps[model]} updates; mean over updates 9…${steps[model]}, median over ${rounds} rounds`,
    });
    log.check({ target: 3, what: `${model} N=32 batched / one-by-one throughput`, ratio: f.ratio!, compare: 'ge', bound: 2, note: `${batched.toFixed(0)} vs ${off.toFixed(0)} updates/s` });
  }
}
