import { initBackend } from '../src/backend/initBackend.ts';
import type { FigureLog } from './figures.ts';
import { profileStep } from './stepFlops.ts';
import { benchOracle, matmulGflops, timeTrainStep } from './trainStep.ts';

/**
 * Target 1: a wasm train step ≤ 2× its matmul-bound floor, floor = the step's matmul/conv FLOPs
 * (counted from a kernel profile of the step) / the best wasm matmul rate measured in this run.
 * Also prints the kernels that dominate the step.
 */
export async function floorRatio(log: FigureLog, models: string[], batchSize: number, reps: number): Promise<void> {
  await initBackend({ backend: 'wasm' });
  console.log('\n== Target 1: wasm train step vs its matmul-bound floor');
  // The best of 7: a floor should not rise because another process took the core for a moment.
  const gflops = await matmulGflops(1024, 7, 'best');
  log.add({ name: 'matmul.1024.gflops.best', backend: 'wasm', value: gflops, unit: 'GFLOP/s', note: 'best of 7, 1024×1024 product' });
  for (const model of models) {
    const oracle = benchOracle(model, Math.max(2 * batchSize, 256));
    const profile = await profileStep(oracle, oracle.init(1), batchSize);
    oracle.dispose();
    const floorMs = (profile.flops / (gflops * 1e9)) * 1000;
    const step = await timeTrainStep(model, batchSize, reps);
    const top = profile.byKernel.slice(0, 5).map((k) => `${k.kernel} ${k.ms.toFixed(1)}`).join(', ');
    log.add({ name: `step_flops.${model}.b${batchSize}`, backend: 'wasm', value: profile.flops / 1e6, unit: 'MFLOP', note: 'matmul/conv kernels of one gradient' });
    log.add({ name: `step_floor.${model}.b${batchSize}`, backend: 'wasm', value: floorMs, unit: 'ms', note: 'FLOPs / matmul rate' });
    const f = log.add({
      name: `train_step.${model}.b${batchSize}`,
      backend: 'wasm',
      value: step.medianMs,
      unit: 'ms',
      ratio: step.medianMs / floorMs,
      ratioTo: `step_floor.${model}.b${batchSize}`,
      note: `median of ${reps}; kernels (ms): ${top}`,
    });
    log.check({ target: 1, what: `${model} wasm step / matmul-bound floor`, ratio: f.ratio!, compare: 'le', bound: 2, note: `${step.medianMs.toFixed(1)} ms vs floor ${floorMs.toFixed(1)} ms` });
  }
}
