import os from 'node:os';
import { Command } from 'commander';
import { backendSteps } from './backendSteps.ts';
import { batchedThroughput } from './batchedThroughput.ts';
import { FigureLog } from './figures.ts';
import { floorRatio } from './floorRatio.ts';
import { peerRatio } from './peerRatio.ts';
import { rulePasses } from './rulePasses.ts';
import { simOverhead } from './simOverhead.ts';
import { threadScaling } from './threadScaling.ts';

const SECTIONS = ['steps', 'floor', 'peer', 'rules', 'batched', 'threads', 'overhead'] as const;
type Section = (typeof SECTIONS)[number];

const program = new Command('bench')
  .description(
    'Benchmarks of issue 11 (see bench/README.md); every target is the median of --rounds\n' +
      'interleaved rounds, each a ratio of two figures measured in that round. Sections:\n' +
      '  steps     train-step medians per backend, as ratios to cpu\n' +
      '  floor     target 1: CPU step (MLP 64-256, LeNet-5; batch 32-128) ≤ 2 × FLOPs / wasm matmul rate\n' +
      '  peer      targets 2, 3: K compute threads ≥ 0.8·K × one; stalelab ÷ NumPy ≤ 1.5 (one core), ≤ 1 (cores)\n' +
      '  rules     every built-in rule\'s send + receive per update on MLP-128\'s 101,770 floats (no target)\n' +
      '  batched   target 4: in-flight batching never slower than one-by-one on a CPU\n' +
      '  threads   target 5: the threads engine gains what the step gained; T threads ≥ 0.8·T × one\n' +
      '  overhead  kept: N=32 async update ≤ 1.05 × plain step (wasm)',
  )
  .option('--sections <list>', `comma-separated sections (${SECTIONS.join(',')})`, SECTIONS.join(','))
  .option('--backends <list>', 'backends of the steps section', 'cpu,wasm,webgpu,tensorflow')
  .option('--models <list>', 'models of the steps section', 'mlp,lenet5,resnet20')
  .option('--batch-size <n>', 'minibatch size of the steps, batched and overhead sections', '128')
  .option('--reps <n>', 'timed steps per model and backend', '9')
  .option('--rounds <n>', 'interleaved rounds of every target (≥ 3 for a median with a spread)', '5')
  .option('--thread-seconds <n>', 'wall time of each threads run', '4')
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

// Simulated-run updates per model for the batched and overhead sections (the first 8 are warm-up).
const simSteps = { mlp: 160, mlp128: 400, lenet5: 96 };
if (sections.includes('steps')) await backendSteps(log, opts.backends.split(','), opts.models.split(','), batchSize, reps);
if (sections.includes('floor')) await floorRatio(log, ['mlp64', 'mlp128', 'mlp256', 'lenet5'], [32, 64, 128], reps, rounds);
if (sections.includes('peer')) await peerRatio(log, rounds);
if (sections.includes('rules')) rulePasses(log, 101770, rounds);
if (sections.includes('batched')) await batchedThroughput(log, ['mlp128', 'lenet5'], 64, rounds, simSteps);
if (sections.includes('threads')) await threadScaling(log, 'mlp128', 64, threadSeconds, rounds, reps);
if (sections.includes('overhead')) await simOverhead(log, ['mlp', 'lenet5'], batchSize, rounds, simSteps);

log.printTargets();
console.log(`\nbench took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${load()}`);
if (opts.json) log.writeJson(opts.json, { options: opts });
