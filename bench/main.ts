import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { initBackend, type BackendChoice } from '../src/backend/initBackend.ts';
import { matmulGflops, timeTrainStep } from './trainStep.ts';

interface Figure {
  name: string;
  backend: string;
  value: number;
  unit: string;
  ratio?: number;
  ratioTo?: string;
  note?: string;
}

const program = new Command('bench')
  .description('Benchmarks: train-step times per model and backend, printed as ratios measured in this run')
  .option('--backends <list>', 'comma-separated backends to try', 'cpu,wasm,webgpu,tensorflow')
  .option('--models <list>', 'comma-separated models', 'mlp,lenet5,resnet20')
  .option('--batch-size <n>', 'minibatch size', '128')
  .option('--reps <n>', 'timed steps per model and backend', '7')
  .option('--json <file>', 'also write every figure as JSON')
  .parse(process.argv);
const opts = program.opts<{ backends: string; models: string; batchSize: string; reps: string; json?: string }>();
const batchSize = Number(opts.batchSize);
const reps = Number(opts.reps);

// Budgets keep `npm run bench` to minutes on a 2-core machine: the pure-JS cpu backend takes
// seconds per LeNet step and many minutes per ResNet-20 step, so it runs fewer reps or is skipped.
const CPU_LIMITS: Record<string, number | 'skip'> = { mlp: reps, lenet5: 2, resnet20: 'skip' };
const WASM_LIMITS: Record<string, number | 'skip'> = { mlp: reps, lenet5: reps, resnet20: 2 };

const figures: Figure[] = [];
const cpuMs = new Map<string, number>();
for (const backend of opts.backends.split(',')) {
  let info;
  try {
    info = await initBackend({ backend: backend as BackendChoice });
  } catch (e) {
    console.log(`${backend}: not available — ${(e as Error).message.split('\n')[0]}`);
    continue;
  }
  console.log(`\n== ${info.name} (${info.reason})`);
  for (const model of opts.models.split(',')) {
    const limit = info.name === 'cpu' ? CPU_LIMITS[model] : info.name === 'wasm' ? WASM_LIMITS[model] : reps;
    if (limit === 'skip') {
      console.log(`  ${model}: skipped on ${info.name} (minutes per step)`);
      continue;
    }
    const t = await timeTrainStep(model, batchSize, limit ?? reps);
    const base = cpuMs.get(model);
    if (info.name === 'cpu') cpuMs.set(model, t.medianMs);
    const ratio = base !== undefined ? t.medianMs / base : undefined;
    figures.push({ name: `train_step.${model}.b${batchSize}`, backend: info.name, value: t.medianMs, unit: 'ms', ratio, ratioTo: ratio !== undefined ? 'cpu' : undefined, note: `median of ${t.samples.length}, D=${t.dim}` });
    console.log(`  ${model.padEnd(9)} ${t.medianMs.toFixed(1).padStart(9)} ms/step${ratio !== undefined ? `  (${ratio.toFixed(3)}× cpu, ${(1 / ratio).toFixed(1)}× faster)` : ''}`);
  }
  const gflops = await matmulGflops(info.name === 'cpu' ? 512 : 1024, 3);
  figures.push({ name: 'matmul.gflops', backend: info.name, value: gflops, unit: 'GFLOP/s' });
  console.log(`  matmul ${gflops.toFixed(1)} GFLOP/s`);
}
if (opts.json) {
  writeFileSync(opts.json, JSON.stringify({ when: new Date().toISOString(), figures }, null, 2));
  console.log(`\nwrote ${opts.json}`);
}
