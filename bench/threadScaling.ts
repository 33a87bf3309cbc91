import os from 'node:os';
import { runThreads } from '../src/engines/threads/runThreads.ts';
import type { FigureLog } from './figures.ts';
import { BENCH_MODELS } from './trainStep.ts';

/**
 * Target 4: T worker threads (Hogwild on shared θ, one wasm backend each) give ≥ 0.8·T× the
 * updates/s of one thread, for T = 1 … the core count. Each run trains for `seconds` of wall time
 * after every worker is ready (start-up is not counted) on a 10k-image MNIST subset.
 */
export async function threadScaling(log: FigureLog, models: string[], batchSize: number, seconds: number): Promise<void> {
  const cores = os.availableParallelism();
  console.log(`\n== Target 4: thread scaling (hogwild, wasm, T = 1…${cores})`);
  for (const model of models) {
    let one = NaN;
    for (let t = 1; t <= cores; t++) {
      const r = await runThreads({
        sync: 'hogwild', workers: t, lr: 0.01, batchSize, seconds, seed: 1, backend: 'wasm', evalSubset: 200,
        model: BENCH_MODELS[model].spec as never, dataset: { name: 'mnist', trainSize: 10000, testSize: 500 },
      });
      const ups = r.record.summary!.updates_per_sec as number;
      if (t === 1) one = ups;
      const f = log.add({
        name: `threads.hogwild.T${t}.${model}.b${batchSize}`,
        backend: 'wasm',
        value: ups,
        unit: 'updates/s',
        ...(t > 1 ? { ratio: ups / one, ratioTo: `threads.hogwild.T1.${model}.b${batchSize}` } : {}),
        note: `${r.record.summary!.applied} updates in ${r.record.wallTimeSec.toFixed(1)} s`,
      });
      if (t > 1) log.check({ target: 4, what: `${model} T=${t} threads / 1 thread updates/s`, ratio: f.ratio!, compare: 'ge', bound: 0.8 * t, note: `${ups.toFixed(0)} vs ${one.toFixed(0)} updates/s` });
    }
  }
}
