import { initBackend, type BackendChoice } from '../src/backend/initBackend.ts';
import type { FigureLog } from './figures.ts';
import { blasMissing, matmulGflops, timeTrainStep } from './trainStep.ts';

// Budgets keep `npm run bench` to minutes on a 2-core machine: the pure-JS cpu backend takes
// seconds per LeNet step and many minutes per ResNet-20 step, so it runs fewer reps or is skipped.
const CPU_LIMITS: Record<string, number | 'skip'> = { mlp: 7, lenet5: 2, resnet20: 'skip' };
const WASM_LIMITS: Record<string, number | 'skip'> = { resnet20: 2 };

/** Train-step medians per backend and model, each as a ratio to the cpu backend (the old table). */
export async function backendSteps(log: FigureLog, backends: string[], models: string[], batchSize: number, reps: number): Promise<void> {
  const cpuMs = new Map<string, number>();
  const missing = blasMissing();
  if (missing) log.skip(`backend blas: ${missing}`);
  else {
    console.log('\n== Train steps on blas (native OpenBLAS; dense and LeNet models)');
    for (const model of models.filter((m) => m !== 'resnet20')) {
      const t = await timeTrainStep(model, batchSize, reps, 3, undefined, 'blas');
      log.add({ name: `train_step.${model}.b${batchSize}`, backend: 'blas', value: t.medianMs, unit: 'ms', note: `median of ${t.samples.length}, D=${t.dim}` });
    }
  }
  for (const backend of backends) {
    let info;
    try {
      info = await initBackend({ backend: backend as BackendChoice });
    } catch (e) {
      log.skip(`backend ${backend}: not available — ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    console.log(`\n== Train steps on ${info.name} (${info.reason})`);
    for (const model of models) {
      const limit = info.name === 'cpu' ? CPU_LIMITS[model] : info.name === 'wasm' ? (WASM_LIMITS[model] ?? reps) : reps;
      if (limit === 'skip') {
        log.skip(`${model} on ${info.name} (minutes per step)`);
        continue;
      }
      const t = await timeTrainStep(model, batchSize, limit ?? reps, info.name === 'cpu' && model !== 'mlp' ? 1 : 2);
      const base = cpuMs.get(model);
      if (info.name === 'cpu') cpuMs.set(model, t.medianMs);
      const ratio = base !== undefined ? t.medianMs / base : undefined;
      log.add({
        name: `train_step.${model}.b${batchSize}`,
        backend: info.name,
        value: t.medianMs,
        unit: 'ms',
        ...(ratio !== undefined ? { ratio, ratioTo: `train_step.${model}.b${batchSize} on cpu` } : {}),
        note: `median of ${t.samples.length}, D=${t.dim}`,
      });
    }
    const gflops = await matmulGflops(info.name === 'cpu' ? 512 : 1024, 3);
    log.add({ name: `matmul.${info.name === 'cpu' ? 512 : 1024}.gflops`, backend: info.name, value: gflops, unit: 'GFLOP/s' });
  }
}
