import { initBackend } from '../src/backend/initBackend.ts';
import { median, type FigureLog } from './figures.ts';
import { profileStep } from './stepFlops.ts';
import { benchOracle, blasMissing, matmulGflops, timeTrainStep, type BenchBackend } from './trainStep.ts';

/**
 * Target 1: a train step (gradient + θ ← θ − ηg) at small sizes — MLP 784-w-10 for w = 64, 128,
 * 256 and LeNet-5, batch 32, 64, 128 — ≤ 2× its matmul-bound floor, floor = the step's matmul/conv
 * FLOPs (counted from a kernel profile of the step) / the best wasm matmul rate measured in the
 * same round. The step is timed on the CPU backend 'auto' picks (the native blas addon where it is
 * built; wasm beside it). Each round measures the floor and every step again.
 */
export async function floorRatio(log: FigureLog, models: string[], batches: number[], reps: number, rounds: number): Promise<void> {
  await initBackend({ backend: 'wasm' });
  const missing = blasMissing();
  const main: BenchBackend = missing ? 'tfjs' : 'blas';
  console.log(`\n== Target 1: CPU train step vs its matmul-bound floor (step on ${main === 'blas' ? 'blas' : 'wasm'}; wasm beside it)`);
  if (missing) log.skip(`blas steps: ${missing}`);
  const flops = new Map<string, { flops: number; top: string }>();
  for (const model of models) {
    for (const b of batches) {
      const oracle = benchOracle(model, Math.max(2 * b, 256));
      const p = await profileStep(oracle, oracle.init(1), b);
      oracle.dispose();
      flops.set(`${model}.b${b}`, { flops: p.flops, top: p.byKernel.slice(0, 4).map((k) => `${k.kernel} ${k.ms.toFixed(1)}`).join(', ') });
    }
  }
  const perRound = new Map<string, { ratio: number[]; step: Record<BenchBackend, number[]>; floor: number[] }>();
  for (let r = 0; r < rounds; r++) {
    const gflops = await matmulGflops(1024, 5, 'best');
    log.add({ name: `matmul.1024.gflops.best.round${r + 1}`, backend: 'wasm', value: gflops, unit: 'GFLOP/s', note: 'best of 5' });
    for (const model of models) {
      for (const b of batches) {
        const key = `${model}.b${b}`;
        const floorMs = (flops.get(key)!.flops / (gflops * 1e9)) * 1000;
        const wasm = (await timeTrainStep(model, b, model === 'lenet5' ? Math.ceil(reps / 2) : reps, 2, undefined, 'tfjs')).medianMs;
        const blas = missing ? NaN : (await timeTrainStep(model, b, reps, 3, undefined, 'blas')).medianMs;
        const step = main === 'blas' ? blas : wasm;
        const e = perRound.get(key) ?? { ratio: [], step: { tfjs: [], blas: [] }, floor: [] };
        e.ratio.push(step / floorMs);
        e.step.tfjs.push(wasm);
        e.step.blas.push(blas);
        e.floor.push(floorMs);
        perRound.set(key, e);
      }
    }
  }
  for (const [key, e] of perRound) {
    const floor = median(e.floor);
    const f = flops.get(key)!;
    log.add({ name: `step_floor.${key}`, backend: 'wasm', value: floor, unit: 'ms', note: `${(f.flops / 1e6).toFixed(1)} MFLOP / matmul rate` });
    log.add({ name: `train_step.${key}`, backend: 'wasm', value: median(e.step.tfjs), unit: 'ms', ratio: median(e.step.tfjs) / floor, ratioTo: `step_floor.${key}`, note: `kernels (ms): ${f.top}` });
    if (!missing) log.add({ name: `train_step.${key}`, backend: 'blas', value: median(e.step.blas), unit: 'ms', ratio: median(e.step.blas) / floor, ratioTo: `step_floor.${key}` });
    log.checkRounds({ target: 1, what: `${key} ${main === 'blas' ? 'blas' : 'wasm'} step / matmul-bound floor`, compare: 'le', bound: 2, note: `${median(main === 'blas' ? e.step.blas : e.step.tfjs).toFixed(2)} ms vs floor ${floor.toFixed(2)} ms` }, e.ratio);
  }
}
