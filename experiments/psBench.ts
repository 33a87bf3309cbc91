/**
 * Bench of the parameter-server engine (issue 15): updates/s and the server's own time per update
 * for a ~100k- and a 235k-parameter MLP on MNIST with 1, 2, 4 and 8 local worker processes,
 * against the threads engine (sync "lock") on the same model, data, batch and workers.
 *
 *   npx tsx experiments/psBench.ts [--out DIR] [--steps N]
 *   npx tsx experiments/psBench.ts --out DIR --summarise    # rewrite DIR/summary.md from DIR/bench.csv
 *
 * Writes DIR/bench.csv (one row per run, rewritten atomically after each run, so an interrupted
 * bench keeps what it measured) and DIR/summary.md. updates/s is over the engines' own clocks
 * (ps: from the start of training, after every worker joined; threads: from the start barrier),
 * so process and thread start-up are not in it. server_sec_per_update is the ps server's wall time
 * from taking a push off its queue to having queued the worker's next parameters (frame checks,
 * the copy, the rule's receive and send, framing); server_cpu_sec_per_update is the server
 * process's CPU time over training (evaluations excluded) per update, which oversubscribed cores
 * do not inflate. server_busy = wall time per update × updates/s: the share of the run the server
 * spent on updates.
 */
import os from 'node:os';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { runExperiment } from '../src/run/runExperiment.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const outDir = arg('out', 'experiments/results/ps-bench-2026-12-01');
const steps = Number(arg('steps', '600'));

const MODELS = [
  { label: 'mlp 784-128-10', widths: [128] },
  { label: 'mlp 784-256-128-10', widths: [256, 128] },
];
const WORKERS = [1, 2, 4, 8];
const ENGINES = ['ps', 'threads'] as const;

const summariseOnly = process.argv.includes('--summarise');
const rows: Record<string, string | number | null>[] = summariseOnly ? (aq.fromCSV(readFileSync(join(outDir, 'bench.csv'), 'utf8')).objects() as Record<string, string | number | null>[]) : [];
mkdirSync(outDir, { recursive: true });

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

for (const model of summariseOnly ? [] : MODELS) {
  for (const workers of WORKERS) {
    for (const engine of ENGINES) {
      const load = os.loadavg()[0];
      const config = {
        engine, workers, steps, seed: 0, rule: 'asgd', lr: 0.05, batchSize: 32,
        model: { name: 'mlp', widths: model.widths }, dataset: { name: 'mnist', trainSize: 6000, testSize: 500 }, backend: 'wasm',
        ...(engine === 'threads' ? { sync: 'lock' } : {}),
      };
      const t0 = performance.now();
      const r = await runExperiment(config);
      const s = r.record.summary;
      const row = {
        model: model.label,
        params: num(s.dim),
        engine,
        workers,
        status: r.record.status,
        updates: num(s.updates),
        train_sec: Number(r.record.wallTimeSec.toFixed(3)),
        call_sec: Number(((performance.now() - t0) / 1000).toFixed(2)),
        updates_per_sec: num(s.updates_per_sec),
        server_sec_per_update: engine === 'ps' ? num(s.server_sec_per_update) : null,
        server_cpu_sec_per_update: engine === 'ps' ? num(s.server_cpu_sec_per_update) : null,
        server_busy: engine === 'ps' ? (num(s.server_sec_per_update) ?? 0) * (num(s.updates_per_sec) ?? 0) : null,
        compute_sec_mean: engine === 'ps' ? num(s.compute_sec_mean) : null,
        comm_sec_mean: engine === 'ps' ? num(s.comm_sec_mean) : null,
        staleness_mean: num(s.staleness_mean),
        final_test_accuracy: num(s.final_test_accuracy),
        load_avg_1m_before: Number(load.toFixed(2)),
        cores: os.availableParallelism(),
        backend: r.record.backend,
      };
      rows.push(row);
      writeAtomically(join(outDir, 'bench.csv'), aq.from(rows).toCSV() + '\n');
      console.log(JSON.stringify(row));
    }
  }
}

const fmt = (v: unknown, digits = 3): string => (typeof v === 'number' ? Number(v.toPrecision(digits)).toString() : '–');
const lines = [
  `# ps engine bench (${new Date().toISOString().slice(0, 10)})`,
  '',
  `${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, Node ${process.versions.node}, backend ${rows[0]?.backend}; ${steps} updates per run, batch 32, MNIST 6000-example subset, ASGD η = 0.05.`,
  'Workers are processes (ps) or threads (threads, sync lock) on this machine: 4 and 8 of them oversubscribe the cores, and the ps server is one more process on them.',
  'updates/s: over the engine\'s own clock (from the start of training; start-up excluded). ps server ms/update (wall): from taking a push off the queue to having queued the next parameters (checks, copy, the rule\'s receive and send, framing). ps server CPU ms/update: the server process\'s CPU time over training, evaluations excluded, per update (ZeroMQ\'s I/O thread included; not inflated by waiting for a core). server busy: wall ms/update × updates/s. compute / comm: a worker\'s gradient time and its wait from pushing to having the next parameters. "load before": the 1-minute load average when the run started (the machine is shared: the figures move with it).',
  '',
  '| model | params | workers | ps updates/s | threads updates/s | ps/threads | ps server ms/update (wall) | ps server CPU ms/update | ps server busy | ps compute ms | ps comm ms | ps τ mean | threads τ mean | load before (ps, threads) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const model of MODELS) {
  for (const workers of WORKERS) {
    const ps = rows.find((r) => r.model === model.label && r.workers === workers && r.engine === 'ps');
    const th = rows.find((r) => r.model === model.label && r.workers === workers && r.engine === 'threads');
    if (!ps || !th) continue;
    const ms = (v: unknown) => (typeof v === 'number' ? fmt(v * 1000) : '–');
    lines.push(`| ${model.label} | ${ps.params} | ${workers} | ${fmt(ps.updates_per_sec)} | ${fmt(th.updates_per_sec)} | ${fmt((ps.updates_per_sec as number) / (th.updates_per_sec as number), 2)} | ${ms(ps.server_sec_per_update)} | ${ms(ps.server_cpu_sec_per_update)} | ${typeof ps.server_busy === 'number' ? `${(100 * ps.server_busy).toFixed(0)} %` : '–'} | ${ms(ps.compute_sec_mean)} | ${ms(ps.comm_sec_mean)} | ${fmt(ps.staleness_mean)} | ${fmt(th.staleness_mean)} | ${ps.load_avg_1m_before}, ${th.load_avg_1m_before} |`);
  }
}
writeAtomically(join(outDir, 'summary.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
