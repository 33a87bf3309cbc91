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
    'Benchmarks of issue 6 (see bench/README.md); every target is a ratio\n' +
      'of two figures measured in this run. Sections:\n' +
      '  steps     train-step medians per backend, as ratios to cpu\n' +
      '  floor     target 1: wasm step ≤ 2 × FLOPs / matmul rate\n' +
      '  overhead  target 2: N=32 async update ≤ 1.05 × plain step\n' +
      '  batched   target 3: in-flight batched ≥ 2 × one-by-one\n' +
      '  threads   target 4: T threads ≥ 0.8·T × one thread',
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
const positive = (name: string, text: string, integer = true): number => {
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v))) program.error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  return v;
};
const batchSize = positive('batch-size', opts.batchSize);
const reps = positive('reps', opts.reps);
const rounds = positive('rounds', opts.rounds);
const threadSeconds = positive('thread-seconds', opts.threadSeconds, false);
const log = new FigureLog();
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const t0 = performance.now();
console.log(`stalelab bench — ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}; load average ${load()}`);
console.log('(cpu backend: LeNet-5 runs 2 steps, ResNet-20 is skipped; ResNet-20 runs 2 steps on wasm; GPU backends only where one answers)');

// Simulated-run updates per model for targets 2 and 3 (the first 8 are warm-up, not timed).
const simSteps = { mlp: 160, lenet5: 96 };
if (sections.includes('steps')) await backendSteps(log, opts.backends.split(','), opts.models.split(','), batchSize, reps);
if (sections.includes('floor')) await floorRatio(log, ['mlp', 'lenet5'], batchSize, 2 * reps);
if (sections.includes('overhead')) await simOverhead(log, ['mlp', 'lenet5'], batchSize, rounds, simSteps);
if (sections.includes('batched')) await batchedThroughput(log, ['mlp', 'lenet5'], batchSize, rounds, simSteps);
if (sections.includes('threads')) await threadScaling(log, ['mlp', 'lenet5'], batchSize, threadSeconds);

log.printTargets();
console.log(`\nbench took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${load()}`);
if (opts.json) log.writeJson(opts.json, { options: opts });
