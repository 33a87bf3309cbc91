/**
 * Issue 4's measurements on this machine, with real worker threads (wasm, MLP on MNIST):
 * (1) the staleness distribution per sync mode and thread count; (2) wall time and updates to a
 * training-loss target for constant, inverse and TAIL-τ step sizes (Leashed-SGD, 3 seeds).
 * Every run is saved to OUT/<name>/ (a rerun skips saved runs); the tables go to OUT/*.csv.
 *
 *   npx tsx experiments/threads.ts --out runs/threads
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import { Command } from 'commander';
import { isSavedRun, loadRun, saveRun } from '../src/results/runDir.ts';
import type { RunResult } from '../src/results/runResult.ts';
import { runThreads } from '../src/threads/runThreads.ts';
import type { ThreadsConfigInput } from '../src/threads/threadsConfig.ts';

const opts = new Command('threads-experiments')
  .requiredOption('--out <dir>', 'output directory')
  .option('--seeds <n>', 'seeds for time to target', '3')
  .parse()
  .opts<{ out: string; seeds: string }>();

const task = {
  model: { name: 'mlp' as const, widths: [128], init: { normal: 0.01 } },
  dataset: { name: 'mnist' as const, trainSize: 6000, testSize: 1000 },
  backend: 'wasm' as const,
  batchSize: 16,
  lr: 0.005,
};

async function cached(name: string, config: ThreadsConfigInput): Promise<RunResult> {
  const dir = join(opts.out, name);
  if (isSavedRun(dir)) return loadRun(dir);
  const started = performance.now();
  const run = await runThreads({ id: name, ...config });
  saveRun(dir, run);
  console.log(`${name}: ${run.record.status} in ${((performance.now() - started) / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(2)})`);
  return run;
}

const stalenessRows = [];
const histogramRows = [];
for (const sync of ['lock', 'hogwild', 'leashed'] as const) {
  for (const threads of [1, 2, 4, 8]) {
    const run = await cached(`staleness-${sync}-T${threads}`, { ...task, sync, threads, updates: 2000, seed: 0 });
    const s = run.record.summary!;
    stalenessRows.push({ sync, threads, updates_per_sec: s.updates_per_sec, mean: s.staleness_mean, p50: s.staleness_p50, p90: s.staleness_p90, max: s.staleness_max, torn_reads: s.torn_reads, cas_failures: s.cas_failures, dropped: s.dropped });
    const counts = run.updates.groupby('staleness').count().orderby('staleness').objects() as { staleness: number; count: number }[];
    for (const c of counts) histogramRows.push({ sync, threads, staleness: c.staleness, fraction: c.count / run.updates.numRows() });
  }
}

const targetRows = [];
const seeds = Array.from({ length: Number(opts.seeds) }, (_, i) => i);
for (const threads of [2, 4]) {
  for (const kind of ['constant', 'inverse', 'tail-tau'] as const) {
    for (const seed of seeds) {
      const run = await cached(`target-${kind}-T${threads}-seed${seed}`, {
        ...task, sync: 'leashed', threads, stepSize: { kind }, seed, updates: 8000, seconds: 60, evalEvery: 250, evalSubset: 1000,
        target: { metric: 'train_loss', value: 1.0 }, stopAtTarget: true,
      });
      const s = run.record.summary!;
      targetRows.push({ step_size: kind, threads, seed, status: run.record.status, seconds: s.target_reached_sec, updates: s.target_reached_updates, mean_scale: run.updates.rollup({ m: aq.op.mean('scale') }).get('m', 0) });
    }
  }
}

mkdirSync(opts.out, { recursive: true });
const staleness = aq.from(stalenessRows);
const histogram = aq.from(histogramRows);
const target = aq.from(targetRows);
writeFileSync(join(opts.out, 'staleness.csv'), staleness.toCSV());
writeFileSync(join(opts.out, 'staleness_histogram.csv'), histogram.toCSV());
writeFileSync(join(opts.out, 'time_to_target.csv'), target.toCSV());
console.log(`\nmachine: ${os.availableParallelism()} cores; load average now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
console.log('staleness per sync mode and thread count (2000 updates, MLP 784-128-10, batch 16, wasm):');
console.log(staleness.toMarkdown());
console.log('time to training loss ≤ 1.0 (Leashed-SGD; null = not reached within 8000 updates / 60 s):');
console.log(target.toMarkdown());
console.log(
  target
    .groupby('step_size', 'threads')
    .rollup({ reached: aq.op.valid('seconds'), mean_sec: aq.op.mean('seconds'), sd_sec: aq.op.stdev('seconds'), mean_updates: aq.op.mean('updates'), mean_scale: aq.op.mean('mean_scale') })
    .orderby('threads', 'step_size')
    .toMarkdown(),
);
