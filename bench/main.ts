import os from 'node:os';
import { Command } from 'commander';
import { backendSteps } from './backendSteps.ts';
import { batchedThroughput } from './batchedThroughput.ts';
import { FigureLog } from './figures.ts';
import { floorRatio } from './floorRatio.ts';
import { simOverhead } from './simOverhead.ts';
import { threadScaling } from './threadScaling.ts';

const SECTIONS = ['steps', 'floor', 'overhead', 'batched', 'threads'] as const;
type Section = (typeof SECTIONS)[number];

const program = new Command('bench')
  .description(
    'Benchmarks of issue 6, each target a ratio of two figures measured in this run:\n' +
      '  steps     train-step medians per backend and model, as ratios to the cpu backend\n' +
      '  floor     target 1: wasm MLP/LeNet step ≤ 2× FLOPs / wasm matmul rate\n' +
      '  overhead  target 2: N=32 async update ≤ 1.05× a plain SGD step\n' +
      '  batched   target 3: N=32 in-flight batched gradients ≥ 2× one-by-one throughput\n' +
      '  threads   target 4: T threads ≥ 0.8·T × one thread updates/s, T up to the core count',
  )
  .option('--sections <list>', `comma-separated sections (${SECTIONS.join(',')})`, SECTIONS.join(','))
  .option('--backends <list>', 'backends of the steps section', 'cpu,wasm,webgpu,tensorflow')
  .option('--models <list>', 'models of the steps section', 'mlp,lenet5,resnet20')
  .option('--batch-size <n>', 'minibatch size', '128')
  .option('--reps <n>', 'timed steps per model and backend', '9')
  .option('--rounds <n>', 'alternations of the two sides of targets 2 and 3', '3')
  .option('--thread-seconds <n>', 'wall time of each threads run', '6')
  .option('--json <file>', 'also write every figure and target as JSON')
  .parse(process.argv);
const opts = program.opts<{ sections: string; backends: string; models: string; batchSize: string; reps: string; rounds: string; threadSeconds: string; json?: string }>();

const sections = opts.sections.split(',') as Section[];
for (const s of sections) if (!SECTIONS.includes(s)) program.error(`--sections: unknown section '${s}'; allowed: ${SECTIONS.join(', ')}`);
const batchSize = Number(opts.batchSize);
const reps = Number(opts.reps);
const rounds = Number(opts.rounds);
const log = new FigureLog();
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const t0 = performance.now();
console.log(`stalelab bench — ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}; load average ${load()}`);
console.log('(cpu backend: LeNet-5 runs 2 steps, ResNet-20 is skipped; ResNet-20 runs 2 steps on wasm; GPU backends only where one answers)');

// Simulated-run steps per model for targets 2 and 3 (differenced against a quarter of them).
const simSteps = { mlp: 160, lenet5: 96 };
if (sections.includes('steps')) await backendSteps(log, opts.backends.split(','), opts.models.split(','), batchSize, reps);
if (sections.includes('floor')) await floorRatio(log, ['mlp', 'lenet5'], batchSize, 2 * reps);
if (sections.includes('overhead')) await simOverhead(log, ['mlp', 'lenet5'], batchSize, rounds, simSteps);
if (sections.includes('batched')) await batchedThroughput(log, ['mlp', 'lenet5'], batchSize, rounds, simSteps);
if (sections.includes('threads')) await threadScaling(log, ['mlp', 'lenet5'], batchSize, Number(opts.threadSeconds));

log.printTargets();
console.log(`\nbench took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${load()}`);
if (opts.json) log.writeJson(opts.json, { options: opts });
