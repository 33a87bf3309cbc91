import os from 'node:os';
import { runExperiment } from '../src/run/runExperiment.ts';
import { inTurn, median, type FigureLog } from './figures.ts';
import { gradientMs } from './gradientTiming.ts';
import { BENCH_MODELS, blasMissing, timeTrainStep } from './trainStep.ts';

/**
 * Target 5 and the kept thread-scaling target, on the threads engine (Hogwild!, a backend per
 * thread, `seconds` of training after every worker is ready, a 10k-image MNIST subset):
 * - 5: one thread's updates/s on blas ÷ on wasm, over the same speed-up of the train step (timed
 *   as target 1 times it, in the same round, just before that round's thread runs: a ratio of
 *   four timings drifts with the machine when its parts come from different minutes), ≥ 0.8:
 *   the threads engine gains what the step gained;
 * - kept: T threads ≥ 0.8·T × one thread's updates/s, T = 2 … cores.
 */
export async function threadScaling(log: FigureLog, model: string, batchSize: number, seconds: number, rounds: number, reps: number): Promise<void> {
  const cores = os.availableParallelism();
  const backends = blasMissing() ? ['wasm'] : ['wasm', 'blas'];
  console.log(`\n== Target 5 and thread scaling (threads engine, hogwild, ${model}, B=${batchSize}, T = 1…${cores}, ${backends.join(' and ')})`);
  const runConfig = (backend: string) => ({
    lr: 0.01, batchSize, seed: 1, backend, evalSubset: 200, model: BENCH_MODELS[model].spec, dataset: { name: 'mnist', trainSize: 10000, testSize: 500 },
  });
  const ups = new Map<string, number[]>();
  const stepMs = { wasm: [] as number[], blas: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    if (backends.includes('blas')) {
      // More steps than target 1's `reps`: a median of 9 steps (40 ms on wasm) against 4 s runs was
      // the noisiest of the four figures.
      const steps = Math.max(reps, 60);
      stepMs.wasm.push((await timeTrainStep(model, batchSize, steps, 5, undefined, 'tfjs')).medianMs);
      stepMs.blas.push((await timeTrainStep(model, batchSize, steps, 5, undefined, 'blas')).medianMs);
    }
    for (const backend of backends) {
      for (const t of inTurn(r, Array.from({ length: cores }, (_, k) => k + 1))) {
        if (t > 1 && backend !== backends.at(-1)) continue;
        const run = await runExperiment({ ...runConfig(backend), engine: 'threads', sync: 'hogwild', workers: t, seconds });
        const key = `${backend}.T${t}`;
        ups.set(key, [...(ups.get(key) ?? []), run.record.summary.updates_per_sec as number]);
      }
    }
  }
  for (const [key, v] of ups) log.add({ name: `threads.hogwild.${key}.${model}.b${batchSize}`, backend: key.split('.')[0], value: median(v), unit: 'updates/s', note: `median of ${v.length} runs of ${seconds} s` });
  // What one thread spends per update beside the gradient (the store's read and write with the
  // rule's step and gap, the finiteness check, the minibatch, the row): the rest of target 5.
  for (const backend of backends) {
    const gradient = await gradientMs({ ...runConfig(backend), engine: 'sim' }, 300);
    const perUpdate = 1000 / median(ups.get(`${backend}.T1`)!);
    log.add({ name: `threads.overhead.${backend}.T1.${model}.b${batchSize}`, backend, value: perUpdate - gradient, unit: 'ms/update', ratio: (perUpdate - gradient) / perUpdate, ratioTo: `threads.hogwild.${backend}.T1`, note: `${perUpdate.toFixed(3)} ms per update, ${gradient.toFixed(3)} ms the gradient alone` });
  }
  const main = backends.at(-1)!;
  for (let t = 2; t <= cores; t++) {
    const one = ups.get(`${main}.T1`)!;
    const many = ups.get(`${main}.T${t}`)!;
    log.checkRounds({ target: 'kept', what: `${model} ${main} T=${t} threads / 1 thread updates/s`, compare: 'ge', bound: 0.8 * t, note: `${median(many).toFixed(0)} vs ${median(one).toFixed(0)} updates/s` }, many.map((m, i) => m / one[i]));
  }
  if (main === 'blas') {
    for (const backend of backends) log.add({ name: `threads.train_step.${model}.b${batchSize}`, backend, value: median(stepMs[backend as 'wasm' | 'blas']), unit: 'ms', note: `target 1's step, median of ${rounds} rounds timed beside the thread runs` });
    const blas = ups.get('blas.T1')!;
    const wasm = ups.get('wasm.T1')!;
    const gains = stepMs.wasm.map((w, i) => w / stepMs.blas[i]);
    log.checkRounds({ target: 5, what: `${model} one thread: blas/wasm updates/s over the step's gain`, compare: 'ge', bound: 0.8, note: `threads ${(median(blas) / median(wasm)).toFixed(2)}× faster, step ${median(gains).toFixed(2)}× faster` }, blas.map((b, i) => b / wasm[i] / gains[i]));
  } else {
    log.skip('target 5: needs the blas backend');
  }
}
