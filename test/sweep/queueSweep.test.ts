import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { cli } from '../cli/runCli.ts';
import { collectGrid, listGrid, runGridEntry } from '../../src/sweep/indexRunner.ts';
import { startQueueWorker, type WorkerEvent } from '../../src/sweep/queueWorker.ts';
import { DEFAULT_QUEUE_NAME } from '../../src/sweep/queueProtocol.ts';
import { checkRedis, parseRedisUrl } from '../../src/sweep/redisConnection.ts';
import { prepareSweep, sweep, type SweepResult } from '../../src/sweep/sweep.ts';
import type { SweepGrid } from '../../src/sweep/sweepGrid.ts';
import { startRedis, type TestRedis } from './redisServer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'stalelab.mjs');
/** Short locks so a killed worker's job is found stalled within seconds. */
const WORKER_FLAGS = ['--lock-duration', '4000', '--stalled-interval', '1000'];
const FOLLOW = { reconcileMs: 500 };

/** 36 runs of a few milliseconds each, but for the six of 10 000 updates (long enough to be caught running). */
const SLOW_STEPS = 10_000;
const GRID: SweepGrid = {
  base: { objective: { name: 'quadratic', dim: 20 }, lr: 0.05, workers: 4, evalEvery: 50, logEvery: 10 },
  vary: { steps: [50, 60, 70, 80, 90, SLOW_STEPS], rule: ['asgd', 'ga'], seed: [0, 1, 2] },
};
/** Columns that differ between any two executions of the same run. */
const VOLATILE = ['wall_time_sec', 'loaded', 'updates_per_sec'];

const tmp = (what: string) => mkdtempSync(join(tmpdir(), `stalelab-${what}-`));
const normalized = (csv: string, drop: string[] = []) => {
  const t = aq.fromCSV(csv);
  const gone = drop.filter((c) => t.columnNames().includes(c));
  return (gone.length ? t.select(aq.not(...gone)) : t).toCSV();
};
const tablesOf = (r: { runs: SweepResult['runs']; updates: SweepResult['updates']; evals: SweepResult['evals'] }) => ({
  runs: normalized(r.runs.toCSV(), VOLATILE),
  updates: normalized(r.updates.toCSV()),
  evals: normalized(r.evals.toCSV()),
});

/** Tables equal line by line; on a difference, the first differing line (assert's diff of thousands of lines takes minutes). */
function assertSameTables(actual: ReturnType<typeof tablesOf>, expected: ReturnType<typeof tablesOf>): void {
  for (const name of ['runs', 'updates', 'evals'] as const) {
    const a = actual[name].split('\n');
    const e = expected[name].split('\n');
    const at = a.findIndex((line, i) => line !== e[i]);
    if (at >= 0 || a.length !== e.length) {
      const i = at >= 0 ? at : Math.min(a.length, e.length);
      assert.fail(`${name}: ${a.length} vs ${e.length} lines; first difference at line ${i}:\n  got      ${a[i]}\n  expected ${e[i]}\n  header   ${e[0]}`);
    }
  }
}

/** A `stalelab worker` process, its stdout kept line by line. */
class WorkerProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Set before killing it on purpose; any other exit aborts the sweeps under way (no sweep waits for dead workers). */
  expectedExit = false;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.proc = spawn(process.execPath, [BIN, 'worker', '--queue', url, ...WORKER_FLAGS], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
    this.proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.exited = new Promise((r) =>
      this.proc.once('exit', (code, signal) => {
        if (!this.expectedExit) workerDied.abort(new Error(`a worker exited unexpectedly (${code ?? signal}): ${this.stderr.slice(-2000)}`));
        for (const w of this.waiters.splice(0)) w();
        r(code);
      }),
    );
  }

  /** The first line from index `from` on that matches. */
  async waitFor(match: (line: string) => boolean, from = 0): Promise<string> {
    for (;;) {
      const hit = this.lines.slice(from).find(match);
      if (hit !== undefined) return hit;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`worker exited (${this.proc.exitCode ?? this.proc.signalCode}) without printing the line: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  ready(): Promise<string> {
    return this.waitFor((l) => l.startsWith('worker '));
  }

  /** Run ids of the lines "<verb> <run id> …" from index `from`. */
  ids(verb: 'start' | 'done', from = 0): string[] {
    return this.lines.slice(from).filter((l) => l.startsWith(`${verb} `)).map((l) => l.split(' ')[1].replace(/:$/, ''));
  }
}

/** Aborted when a worker process dies unexpectedly: the sweeps of the tests stop instead of waiting for it. */
const workerDied = new AbortController();
const control = { signal: workerDied.signal };
const alive = () => assert.equal(workerDied.signal.aborted, false, String(workerDied.signal.reason));

let redis: TestRedis;
let workers: WorkerProcess[];
let prepared: Awaited<ReturnType<typeof prepareSweep>>;
let local: ReturnType<typeof tablesOf>;
let localDir: string;
let firstSweepDir: string;
const dirs: string[] = [];

const marks = () => workers.map((w) => w.lines.length);
const allIds = (verb: 'start' | 'done', from: number[], ws = workers) => ws.flatMap((w, i) => w.ids(verb, from[i] ?? 0));
const sorted = (xs: string[]) => [...xs].sort();

async function queueCounts(url: string): Promise<Record<string, number>> {
  const { connection } = await checkRedis(url);
  const q = new Queue(DEFAULT_QUEUE_NAME, { connection });
  try {
    return await q.getJobCounts();
  } finally {
    await q.close();
  }
}

before(async () => {
  redis = await startRedis({ persistent: true });
  workers = [0, 1, 2].map(() => new WorkerProcess(redis.url));
  prepared = await prepareSweep(GRID);
  localDir = tmp('local');
  dirs.push(localDir);
  // The reference: the same grid swept here, one run after another.
  local = tablesOf(await sweep(GRID, { outDir: localDir }));
  await Promise.all(workers.map((w) => w.ready()));
});

after(async () => {
  for (const w of workers ?? []) w.expectedExit = true;
  // A sweep still following (a test that timed out) stops and lets go of Redis.
  workerDied.abort(new Error('the tests are over'));
  for (const w of workers ?? []) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  await Promise.all((workers ?? []).map((w) => w.exited));
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('3 worker processes sweep 36 runs: the local sweep\'s tables and files, every run done once, nothing left in Redis', { timeout: 120_000 }, async () => {
  const outDir = (firstSweepDir = tmp('queue'));
  dirs.push(outDir);
  const from = marks();
  const result = await sweep(GRID, { outDir, control, queue: { url: redis.url, ...FOLLOW } });
  alive();
  assert.equal(result.status, 'finished');
  assert.equal(result.queue!.enqueued, prepared.ids.length);
  assert.deepEqual(result.queue!.failed, []);
  assertSameTables(tablesOf(result), local);
  // Each run ran on a worker exactly once, and came back to DIR byte for byte as the local sweep saved it.
  assert.deepEqual(sorted(allIds('done', from)), sorted(prepared.ids));
  assert.deepEqual(sorted(readdirSync(outDir)), sorted(prepared.ids));
  for (const id of prepared.ids) {
    for (const f of ['updates.csv', 'evals.csv']) assert.ok(readFileSync(join(outDir, id, f), 'utf8') === readFileSync(join(localDir, id, f), 'utf8'), `${id}/${f} as the local sweep saved it`);
  }
  // Collected jobs and their files are removed from Redis.
  assert.deepEqual(Object.values(await queueCounts(redis.url)).filter((n) => n > 0), []);
  const client = new Redis(redis.port, '127.0.0.1');
  assert.deepEqual(await client.keys('stalelab:*'), []);
  client.disconnect();
});

test('a worker SIGKILLed mid-run loses only that run: the job is found stalled and retried on another worker', { timeout: 120_000 }, async () => {
  const outDir = tmp('killed');
  dirs.push(outDir);
  const slow = new Set(prepared.ids.filter((_id, k) => prepared.configs[k].steps === SLOW_STEPS));
  const from = marks();
  const running = sweep(GRID, { outDir, control, queue: { url: redis.url, ...FOLLOW } });
  // The first worker seen starting a slow run is killed while it runs it.
  const [victimIndex, line] = await Promise.race(workers.map((w, i) => w.waitFor((l) => l.startsWith('start ') && slow.has(l.split(' ')[1]), from[i]).then((l) => [i, l] as const)));
  const killedRun = line.split(' ')[1];
  const victim = workers[victimIndex];
  victim.expectedExit = true;
  victim.proc.kill('SIGKILL');
  await victim.exited;
  const replacement = new WorkerProcess(redis.url);
  await replacement.ready();
  workers[victimIndex] = replacement;
  const result = await running;
  alive();
  assert.equal(result.status, 'finished', JSON.stringify(result.queue));
  assert.ok(!victim.ids('done', from[victimIndex]).includes(killedRun), 'the killed worker did not finish its run');
  const survivors = [...workers];
  const survivorFrom = survivors.map((w, i) => (i === victimIndex ? 0 : from[i]));
  assert.ok(allIds('start', survivorFrom, survivors).includes(killedRun), 'another worker started the run again');
  assert.ok(result.queue!.retried >= 1);
  // Every run done exactly once, counting what the victim finished before it died.
  assert.deepEqual(sorted([...victim.ids('done', from[victimIndex]), ...allIds('done', survivorFrom, survivors)]), sorted(prepared.ids));
  assertSameTables(tablesOf(result), local);
});

test('--shared-dir: workers write DIR themselves; SIGTERM on a worker returns its run to the queue and it exits cleanly', { timeout: 120_000 }, async () => {
  const outDir = tmp('shared');
  dirs.push(outDir);
  const slow = new Set(prepared.ids.filter((_id, k) => prepared.configs[k].steps === SLOW_STEPS));
  const { connection } = await checkRedis(redis.url);
  const events = new QueueEvents(DEFAULT_QUEUE_NAME, { connection });
  const deliveries: string[] = [];
  events.on('completed', ({ returnvalue }) => deliveries.push((returnvalue as unknown as { delivery: string }).delivery));
  await events.waitUntilReady();
  const from = marks();
  const running = sweep(GRID, { outDir, control, queue: { url: redis.url, sharedDir: true, ...FOLLOW } });
  const [stoppedIndex, line] = await Promise.race(workers.map((w, i) => w.waitFor((l) => l.startsWith('start ') && slow.has(l.split(' ')[1]), from[i]).then((l) => [i, l] as const)));
  const returnedRun = line.split(' ')[1];
  const stopped = workers[stoppedIndex];
  stopped.expectedExit = true;
  stopped.proc.kill('SIGTERM');
  assert.equal(await stopped.exited, 0, 'a clean exit');
  assert.ok(stopped.lines.includes(`returned ${returnedRun} to the queue`), 'the run went back to the queue');
  assert.match(stopped.lines.at(-1)!, /^worker stopped: \d+ runs done, 0 failed, 1 returned to the queue$/);
  const replacement = new WorkerProcess(redis.url);
  await replacement.ready();
  workers[stoppedIndex] = replacement;
  const result = await running;
  alive();
  await events.close();
  assert.equal(result.status, 'finished');
  assert.ok(deliveries.length >= prepared.ids.length && deliveries.every((d) => d === 'shared'), 'every job returned only where its files are');
  const done = workers.flatMap((w, i) => w.ids('done', i === stoppedIndex ? 0 : from[i]));
  assert.ok(done.includes(returnedRun), 'another worker ran the returned run');
  assertSameTables(tablesOf(result), local);
  for (const id of prepared.ids) assert.ok(readFileSync(join(outDir, id, 'updates.csv'), 'utf8') === readFileSync(join(localDir, id, 'updates.csv'), 'utf8'), id);
});

test('resubmitting a finished sweep enqueues nothing; with one run removed from DIR it enqueues that one', { timeout: 120_000 }, async () => {
  assert.ok(firstSweepDir, 'resubmits the sweep of the first test (run the file whole)');
  const dir = tmp('grid');
  dirs.push(dir);
  const gridPath = join(dir, 'grid.json');
  writeFileSync(gridPath, JSON.stringify(GRID));
  const from = marks();
  const again = await cli('sweep', gridPath, '--queue', redis.url, '--out', firstSweepDir);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /queue: enqueued 0, 0 already queued, 0 retried, 0 failed/);
  assert.deepEqual(allIds('start', from), []);
  const runs = aq.fromCSV(readFileSync(join(firstSweepDir, 'runs.csv'), 'utf8'));
  assert.ok((runs.array('loaded') as boolean[]).every((l) => l === true));
  assertSameTables({ ...local, runs: normalized(readFileSync(join(firstSweepDir, 'runs.csv'), 'utf8'), VOLATILE) }, local);

  const removed = prepared.ids[7];
  rmSync(join(firstSweepDir, removed), { recursive: true });
  const one = await cli('sweep', gridPath, '--queue', redis.url, '--out', firstSweepDir);
  assert.equal(one.code, 0, one.err);
  assert.match(one.out, /queue: enqueued 1, 0 already queued/);
  assert.match(one.err, new RegExp(`queue: ${prepared.ids.length}/${prepared.ids.length} done, 0 running, 0 queued, 0 failed, 0 retried`));
  assert.deepEqual(allIds('start', from), [removed]);
  assert.ok(readFileSync(join(firstSweepDir, removed, 'updates.csv'), 'utf8') === readFileSync(join(localDir, removed, 'updates.csv'), 'utf8'), 'the run written again as the local sweep saved it');
  assertSameTables({ ...local, updates: normalized(readFileSync(join(firstSweepDir, 'updates.csv'), 'utf8')) }, local);
});

test('a Redis restart mid-sweep (appendonly, fsync always) loses no finished run: none is started again, none re-enqueued', { timeout: 120_000 }, async () => {
  const outDir = tmp('restart');
  dirs.push(outDir);
  const from = marks();
  let midway!: () => void;
  const reached = new Promise<void>((r) => (midway = r));
  let atRestart: { done: number; total: number } | null = null;
  const running = sweep(GRID, {
    outDir,
    control,
    queue: {
      url: redis.url,
      ...FOLLOW,
      onStatus: (s) => {
        if (!atRestart && s.done >= 8) {
          atRestart = { done: s.done, total: s.total };
          midway();
        }
      },
    },
  });
  await reached;
  const finishedBefore = new Set([...allIds('done', from), ...readdirSync(outDir)]);
  const fromRestart = marks();
  await redis.restart();
  const result = await running;
  alive();
  assert.ok(atRestart!.done < atRestart!.total, 'the restart came mid-sweep');
  assert.ok(finishedBefore.size >= 8);
  const startedAfter = allIds('start', fromRestart);
  assert.deepEqual(startedAfter.filter((id) => finishedBefore.has(id)), [], 'no finished run started again');
  assert.equal(result.status, 'finished');
  assert.equal(result.queue!.requeued, 0, 'every job was still in Redis after the restart');
  assertSameTables(tablesOf(result), local);
});

test('index runner: --list, entries run by the shipped sbatch script and Kubernetes command, --collect: the local sweep', { timeout: 120_000 }, async () => {
  const dir = tmp('array');
  dirs.push(dir);
  const gridPath = join(dir, 'grid.json');
  const outDir = join(dir, 'runs');
  writeFileSync(gridPath, JSON.stringify(GRID));
  const n = prepared.ids.length;

  const list = await cli('sweep', gridPath, '--list');
  assert.equal(list.code, 0, list.err);
  const lines = list.out.trim().split('\n');
  assert.equal(Number(lines[0].split(' ')[0]), n);
  assert.deepEqual(lines.slice(1).map((l) => l.split('\t').slice(0, 2)), prepared.ids.map((id, k) => [String(k), id]));
  assert.deepEqual((await listGrid(GRID)).map((e) => e.runId), prepared.ids);

  // Two array tasks as Slurm starts them: the script with SLURM_ARRAY_TASK_ID set, at the same time.
  const task = (i: number) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn('bash', [join(ROOT, 'docs/cluster/slurm-array.sbatch'), gridPath, outDir], {
        cwd: ROOT,
        env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i), STALELAB: `${process.execPath} ${BIN}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.stderr!.on('data', (d) => (out += d));
      p.once('exit', (code) => resolve({ code, out }));
    });
  const [first, last] = await Promise.all([task(0), task(n - 1)]);
  assert.equal(first.code, 0, first.out);
  assert.equal(last.code, 0, last.out);
  assert.match(last.out, new RegExp(`run ${n - 1} ${prepared.ids[n - 1]}: finished`));

  const partial = await cli('sweep', gridPath, '--collect', outDir);
  assert.equal(partial.code, 1);
  assert.match(partial.err, new RegExp(`${n - 2} runs are not in .*: indices ${Array.from({ length: n - 2 }, (_, i) => i + 1).join(',')} `));

  // Entry 1 as the shipped Kubernetes manifest's container runs it, with its paths and $(ENTRY) filled in.
  const manifest = readFileSync(join(ROOT, 'docs/cluster/k8s-indexed-job.yaml'), 'utf8');
  assert.match(manifest, /completionMode: Indexed/);
  assert.match(manifest, /- name: ENTRY\n\s+valueFrom:\n\s+fieldRef:\n\s+fieldPath: metadata\.annotations\['batch\.kubernetes\.io\/job-completion-index'\]/);
  const command = (JSON.parse(/^\s*command: (\[.*\])$/m.exec(manifest)![1]) as string[]).map((a) =>
    a.replace('$(ENTRY)', '1').replace('/data/grid.json', gridPath).replace('/data/runs/sweep', outDir),
  );
  assert.equal(command[0], 'node');
  const pod = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, command.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.once('exit', (code) => resolve({ code, out }));
  });
  assert.equal(pod.code, 0, pod.out);
  assert.match(pod.out, new RegExp(`run 1 ${prepared.ids[1]}: finished`));

  for (let i = 2; i < n - 1; i++) assert.equal((await runGridEntry(GRID, i, outDir)).status, 'finished');
  const stamp = statSync(join(outDir, prepared.ids[0], 'run.json')).mtimeMs;
  const rerun = await task(0);
  assert.equal(rerun.code, 0, rerun.out);
  assert.match(rerun.out, /already finished .*\(skipped\)/);
  assert.equal(statSync(join(outDir, prepared.ids[0], 'run.json')).mtimeMs, stamp, 'a finished entry is not written again');

  const collected = await cli('sweep', gridPath, '--collect', outDir);
  assert.equal(collected.code, 0, collected.err);
  const read = (f: string) => readFileSync(join(outDir, f), 'utf8');
  assertSameTables({ runs: normalized(read('runs.csv'), VOLATILE), updates: normalized(read('updates.csv')), evals: normalized(read('evals.csv')) }, local);
  assertSameTables(tablesOf(await collectGrid(GRID, outDir)), local);

  const bad = await cli('sweep', gridPath, '--index', String(n), '--out', outDir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, new RegExp(`--index: got ${n}; the grid has ${n} runs, indices 0 to ${n - 1}`));
});

test('a run failing on every attempt is retried up to --attempts with backoff; a diverged run is a result; a config a worker cannot load fails for good with its error', { timeout: 120_000 }, async () => {
  const dir = tmp('failing');
  dirs.push(dir);
  // The user's rule modules live in an ES module package, as in a project of their own.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const boom = join(dir, 'boom.ts');
  writeFileSync(boom, "export const boom = { name: 'queue-test-boom', description: 'throws at the first update', apply() { throw new Error('boom: the transform failed'); } };\n");
  const elsewhere = join(dir, 'elsewhere.ts');
  writeFileSync(
    elsewhere,
    "if (process.argv.includes('worker')) throw new Error('this module cannot load on a worker');\n" +
      "export const elsewhere = { name: 'queue-test-elsewhere', description: 'loads here only', apply() {} };\n",
  );
  const boomRule = { base: 'sgd', transforms: [{ module: boom, export: 'boom' }] };
  const elsewhereRule = { base: 'sgd', transforms: [{ module: elsewhere, export: 'elsewhere' }] };
  const base = { objective: { name: 'quadratic', dim: 20 }, steps: 40, workers: 2, evalEvery: 20 };
  const grid: SweepGrid = { base, vary: { rule: ['asgd', boomRule, elsewhereRule], lr: [0.05, 100] } };
  const ids = (await prepareSweep(grid)).ids;
  const [asgd, asgdDiverging, boomA, boomB, elsewhereA, elsewhereB] = ids;
  const outDir = join(dir, 'runs');
  const from = marks();
  const result = await sweep(grid, { outDir, control, queue: { url: redis.url, attempts: 2, backoffMs: 50, ...FOLLOW } });
  alive();

  assert.equal(result.status, 'finished');
  assert.deepEqual(result.runs.array('run_id'), [asgd, asgdDiverging, boomA, boomB]);
  assert.deepEqual(result.runs.array('status'), ['finished', 'diverged', 'failed', 'failed']);
  assert.deepEqual(sorted(result.queue!.failed.map((f) => f.runId)), sorted([elsewhereA, elsewhereB]));
  for (const f of result.queue!.failed) {
    assert.equal(f.attempts, 2);
    assert.match(f.error, /this module cannot load on a worker/);
  }
  assert.deepEqual(sorted(readdirSync(outDir)), sorted([asgd, asgdDiverging, boomA, boomB]), 'a run that failed for good is not in DIR');
  const starts = allIds('start', from);
  const count = (id: string) => starts.filter((s) => s === id).length;
  assert.deepEqual([asgd, asgdDiverging, boomA, boomB, elsewhereA, elsewhereB].map(count), [1, 1, 2, 2, 2, 2], 'results once; failures up to the attempts');
  assert.ok(workers.some((w) => w.lines.slice(0).some((l) => l.startsWith(`failed ${boomA} (attempt 1 of 2): run failed: boom: the transform failed`))));
  assert.equal(result.queue!.retried, 4);

  // The failed runs' rows are those a local sweep gives (it saves failed runs too).
  const localGrid: SweepGrid = { base, vary: { rule: ['asgd', boomRule], lr: [0.05, 100] } };
  assertSameTables(tablesOf(result), tablesOf(await sweep(localGrid)));
});

test('Redis checks: password in the URL, maxmemory-policy noeviction; a library worker returns its run to the queue on close', { timeout: 120_000 }, async () => {
  assert.throws(() => parseRedisUrl('http://127.0.0.1:6379'), /--queue: expected redis:\/\/\[\[user\]:password@\]host\[:port\]\[\/db\].*got scheme "http"/);
  assert.throws(() => parseRedisUrl('redis://127.0.0.1:6379/queue'), /must be a database number/);
  assert.deepEqual(parseRedisUrl('redis://:p%40ss@example.org/2'), { host: 'example.org', port: 6379, db: 2, password: 'p@ss', tls: false, display: 'redis://:***@example.org:6379/2' });
  const closed = await startRedis();
  const closedUrl = closed.url;
  await closed.stop();
  await assert.rejects(checkRedis(closedUrl), /cannot reach Redis \(.*ECONNREFUSED.*\); is redis-server running there/);
  const never = tmp('never');
  dirs.push(never);
  const viaCli = await cli('sweep', join(ROOT, 'experiments', 'rules-by-workers.json'), '--queue', closedUrl, '--out', never);
  assert.equal(viaCli.code, 2);
  assert.match(viaCli.err, /^stalelab: queue redis:\/\/127\.0\.0\.1:\d+\/0: cannot reach Redis/);

  const gridFile = join(ROOT, 'experiments', 'rules-by-workers.json');
  for (const [args, message] of [
    [['--list', '--out', 'x'], /sweep: --out is not used with --list/],
    [['--index', '0', '--queue', closedUrl, '--out', 'x'], /sweep: --queue and --index cannot be combined/],
    [['--attempts', '2', '--out', 'x'], /sweep: --attempts is only for a queue sweep/],
    [['--queue', closedUrl], /sweep: --out <dir> is required/],
  ] as const) {
    const r = await cli('sweep', gridFile, ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
  }

  const password = 'pa ss:wörd';
  const locked = await startRedis({ password, maxmemoryPolicy: 'allkeys-lru' });
  try {
    const bare = `redis://127.0.0.1:${locked.port}`;
    await assert.rejects(checkRedis(bare), /Redis asks for a password; give it in STALELAB_REDIS_PASSWORD or in the URL/);
    assert.equal(parseRedisUrl(bare, '--queue', { STALELAB_REDIS_PASSWORD: password }).password, password);
    await assert.rejects(checkRedis(`redis://:wrong@127.0.0.1:${locked.port}`), /refused the user name or password/);
    await assert.rejects(
      checkRedis(locked.url),
      /maxmemory-policy "allkeys-lru"; BullMQ needs "noeviction".*redis-cli -h 127\.0\.0\.1 -p \d+ CONFIG SET maxmemory-policy noeviction/,
    );
    const admin = new Redis({ port: locked.port, host: '127.0.0.1', password });
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    admin.disconnect();

    // A worker in this process (the notebook API); a run too long to finish, returned on close.
    const events: WorkerEvent[] = [];
    let started!: (runId: string) => void;
    const slowStarted = new Promise<string>((r) => (started = r));
    const grid: SweepGrid = { base: { objective: { name: 'quadratic', dim: 20 }, lr: 0.05, logEvery: 1000 }, vary: { steps: [30, 50_000_000] } };
    const [fastId, slowId] = (await prepareSweep(grid)).ids;
    const worker = await startQueueWorker({
      queue: locked.url,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'start' && e.runId === slowId) started(e.runId);
      },
    });
    const stop = new AbortController();
    const outDir = tmp('password');
    dirs.push(outDir);
    const running = sweep(grid, { outDir, control: { signal: stop.signal }, queue: { url: locked.url, ...FOLLOW } });
    await slowStarted;
    await worker.close('return');
    assert.ok(events.some((e) => e.type === 'returned' && e.runId === slowId));
    assert.deepEqual(worker.stats, { done: 1, failed: 0, returned: 1, active: 0 });
    stop.abort();
    const result = await running;
    assert.equal(result.status, 'interrupted');
    assert.deepEqual(result.runs.array('run_id'), [fastId]);
    // The returned job waits for another worker, its attempt not counted.
    const { connection } = await checkRedis(locked.url);
    const q = new Queue(DEFAULT_QUEUE_NAME, { connection });
    const job = await q.getJob(slowId);
    assert.equal(await job!.getState(), 'waiting');
    assert.equal(job!.attemptsMade, 0);
    await q.close();
    // Submitted again (no worker now), the sweep follows the job already queued rather than adding it.
    const again = new AbortController();
    const followed = await sweep(grid, { outDir, control: { signal: again.signal }, queue: { url: locked.url, ...FOLLOW, onStatus: () => again.abort() } });
    assert.equal(followed.status, 'interrupted');
    assert.deepEqual({ enqueued: followed.queue!.enqueued, attached: followed.queue!.attached }, { enqueued: 0, attached: 1 });
    assert.deepEqual(followed.runs.array('loaded'), [true]);
  } finally {
    await locked.stop();
  }
});
