/**
 * What a BullMQ + Redis sweep costs over a local one, on this machine:
 *
 * - overhead per run (ms) = (wall time of a queue sweep of N trivial runs with 1 worker process
 *   − wall time of the same runs swept locally) / N: enqueueing, a worker taking the job, sending
 *   the run's files back through Redis, the sweep writing them to DIR;
 * - the wall time of a 100-run sweep locally and with 1 and 2 worker processes, for trivial runs
 *   (a few ms: all queue cost) and for runs of about 0.1 s (where two processes can use two cores).
 *
 * The workers are started and ready before the clock starts (a worker's start-up, ~2 s of tsx and
 * imports, is paid once per machine, not per run): one process on queue "one", two on queue "two",
 * idle (blocked on Redis) while the others are measured. Each repetition sweeps local, one, two in
 * turn for both kinds of run, so a change in the machine's load falls on all alike; each figure is
 * the median of REPS sweeps, each into a fresh DIR.
 * Usage: npx tsx experiments/queueOverhead.ts [outDir]  (writes results.json there)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sweep } from '../src/sweep/sweep.ts';
import type { SweepGrid } from '../src/sweep/sweepGrid.ts';
import { startRedis } from '../test/sweep/redisServer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPS = Number(process.env.REPS ?? 3);
const N = 100;
const seeds = Array.from({ length: N }, (_, i) => i);
const TRIVIAL: SweepGrid = { base: { objective: { name: 'quadratic', dim: 20 }, lr: 0.05, workers: 4, steps: 20 }, vary: { seed: seeds } };
const MODERATE: SweepGrid = { base: { objective: { name: 'quadratic', dim: 100 }, lr: 0.05, workers: 4, steps: 3000, logEvery: 100, evalEvery: 1000 }, vary: { seed: seeds } };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startWorkers(url: string, k: number, queueName: string): Promise<ChildProcess[]> {
  const procs = Array.from({ length: k }, () =>
    spawn(process.execPath, [join(ROOT, 'bin/stalelab.mjs'), 'worker', '--queue', url, '--queue-name', queueName], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          const lines = createInterface({ input: p.stdout! });
          lines.on('line', (l) => l.startsWith('worker ') && resolve());
          p.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
        }),
    ),
  );
  return procs;
}

async function stopWorkers(procs: ChildProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM')))));
}

/** Seconds of one sweep into a fresh DIR. */
async function timed(grid: SweepGrid, queue?: { url: string; name: string }): Promise<number> {
  const outDir = mkdtempSync(join(tmpdir(), 'stalelab-overhead-'));
  try {
    const t0 = performance.now();
    const r = await sweep(grid, { outDir, ...(queue ? { queue: { ...queue, reconcileMs: 1000 } } : {}) });
    const sec = (performance.now() - t0) / 1000;
    if (r.status !== 'finished' || r.runs.numRows() !== N) throw new Error(`sweep ${r.status} with ${r.runs.numRows()} runs`);
    return sec;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const out = process.argv[2] ?? join(ROOT, 'runs', 'queue-overhead');
mkdirSync(out, { recursive: true });
const redis = await startRedis();
const results: Record<string, number[]> = {};
const note = (key: string, sec: number) => {
  (results[key] ??= []).push(sec);
  console.error(`${key}: ${sec.toFixed(2)} s (load ${loadavg()[0].toFixed(1)})`);
};
const pools: ChildProcess[] = [];
try {
  pools.push(...(await startWorkers(redis.url, 1, 'one')), ...(await startWorkers(redis.url, 2, 'two')));
  const setups = [
    ['local', undefined],
    ['1 worker', { url: redis.url, name: 'one' }],
    ['2 workers', { url: redis.url, name: 'two' }],
  ] as const;
  // Warm the JIT here and in the workers (other run ids: steps 21) before any clock.
  for (const [, queue] of setups) await timed({ ...TRIVIAL, base: { ...TRIVIAL.base, steps: 21 } }, queue);
  for (let rep = 0; rep < REPS; rep++) {
    for (const [kind, grid] of [['trivial', TRIVIAL], ['moderate', MODERATE]] as const) {
      for (const [setup, queue] of setups) note(`${kind} ${setup}`, await timed(grid, queue));
    }
  }
} finally {
  await stopWorkers(pools);
  await redis.stop();
}

const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const overheadMs = ((med['trivial 1 worker'] - med['trivial local']) / N) * 1000;
const summary = {
  date: new Date().toISOString(),
  commit: execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model.trim(), node: process.versions.node, redis: execSync('redis-server --version').toString().trim() },
  runs: N,
  reps: REPS,
  seconds: results,
  medianSeconds: med,
  overheadMsPerRun: overheadMs,
  loadAverageAtEnd: loadavg(),
};
writeFileSync(join(out, 'results.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(`| sweep of ${N} runs | local | 1 worker process | 2 worker processes |`);
console.log('|---|---|---|---|');
for (const kind of ['trivial', 'moderate']) {
  console.log(`| ${kind} | ${med[`${kind} local`].toFixed(2)} s | ${med[`${kind} 1 worker`].toFixed(2)} s | ${med[`${kind} 2 workers`].toFixed(2)} s |`);
}
console.log(`\nqueue overhead per run: ${overheadMs.toFixed(1)} ms (median of ${REPS}; trivial runs, 1 worker, minus the local sweep)`);
