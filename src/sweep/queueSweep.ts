import { join, resolve } from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { ConfigError } from '../config/validate.ts';
import { isSavedRun, loadRun } from '../results/runDir.ts';
import { DEFAULT_QUEUE_NAME, RUN_JOB_NAME, unpackRunFiles, writeRunFiles, type RunJobData, type RunJobReturn } from './queueProtocol.ts';
import { checkRedis, openRedis } from './redisConnection.ts';
import type { QueueSettings, QueueStatus, QueueSweepSummary } from './queueSettings.ts';
import { entryConfig, prepareSweep, SweepTables, type SweepOptions, type SweepResult } from './sweepTables.ts';
import type { SweepGrid } from './sweepGrid.ts';

export type { QueueSettings, QueueStatus, QueueSweepSummary };

async function raceTimer<T>(ms: number, ...others: Promise<T>[]): Promise<T | void> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([new Promise<void>((r) => (t = setTimeout(r, ms))), ...others]);
  } finally {
    clearTimeout(t);
  }
}

const ACTIVE_STATES = new Set(['active']);
const FINAL_STATES = new Set(['completed', 'failed']);

function settingsOf(queue: NonNullable<SweepOptions['queue']>): Required<Omit<QueueSettings, 'onStatus'>> & Pick<QueueSettings, 'onStatus'> {
  const s = typeof queue === 'string' ? { url: queue } : queue;
  const out = { name: DEFAULT_QUEUE_NAME, sharedDir: false, attempts: 3, backoffMs: 10_000, reconcileMs: 2000, ...s };
  if (!Number.isInteger(out.attempts) || out.attempts < 1) throw new ConfigError(`queue.attempts: expected an integer ≥ 1, got ${out.attempts}`);
  if (!(out.backoffMs >= 0)) throw new ConfigError(`queue.backoffMs: expected a number of milliseconds ≥ 0, got ${out.backoffMs}`);
  if (!(out.reconcileMs > 0)) throw new ConfigError(`queue.reconcileMs: expected a number of milliseconds > 0, got ${out.reconcileMs}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(out.name)) throw new ConfigError(`queue.name: expected letters, digits, ".", "_" or "-", got ${JSON.stringify(out.name)}`);
  return out;
}

/**
 * Run a grid on workers anywhere through a BullMQ queue on Redis, and follow it until every run
 * is done. Runs already in outDir are not enqueued; the others become jobs whose id is the run id
 * (readable swept values + a hash of the whole validated config), so a resubmitted sweep adds no
 * run twice but follows the jobs already there. Each finished run is written to outDir/<run id>/
 * exactly as a local sweep writes it (its files come back through Redis, or workers write them
 * when `sharedDir`). The tables are the local sweep's. On `control.signal` the sweep stops
 * following (status "interrupted"); its jobs stay queued, and rerunning it collects them.
 */
export async function queueSweep(grid: SweepGrid, opts: SweepOptions): Promise<SweepResult> {
  const settings = settingsOf(opts.queue!);
  if (opts.outDir === undefined) {
    throw new ConfigError('sweep: a queue sweep needs outDir (the finished runs are written there, and runs already there are not enqueued again)');
  }
  if (opts.oracle) {
    throw new ConfigError('sweep: an oracle object cannot go through a queue (workers build the problem from the config): name objective, or model + dataset, in the grid');
  }
  const prepared = await prepareSweep(grid);
  const { target, connection } = await checkRedis(settings.url, 'queue');
  const outDir = resolve(opts.outDir);
  const n = prepared.ids.length;
  const dirOf = (k: number) => join(outDir, prepared.ids[k]);
  const tables = new SweepTables(prepared);
  const pending = new Set<number>();
  for (let k = 0; k < n; k++) {
    if (isSavedRun(dirOf(k))) tables.add(k, loadRun(dirOf(k)), true);
    else pending.add(k);
  }
  const summary: QueueSweepSummary = { enqueued: 0, attached: 0, retried: 0, requeued: 0, failed: [] };
  if (pending.size === 0) return { ...tables.result('finished'), queue: summary };

  const signal = opts.control?.signal;
  const indexOf = new Map(prepared.ids.map((id, k) => [id, k]));
  const queue = new Queue(settings.name, { connection });
  const redis = openRedis(target);
  const events = new QueueEvents(settings.name, { connection });
  let redisUp = true;
  redis.on('ready', () => (redisUp = true));
  redis.on('close', () => (redisUp = false));
  queue.on('error', () => {});
  events.on('error', () => {});

  const jobData = (k: number): RunJobData => ({
    runId: prepared.ids[k],
    config: entryConfig(prepared, k) as unknown as Record<string, unknown>,
    ...(settings.sharedDir ? { sharedDir: outDir } : {}),
  });
  const jobOpts = (k: number) => ({
    jobId: prepared.ids[k],
    attempts: settings.attempts,
    backoff: { type: 'exponential' as const, delay: settings.backoffMs },
    removeOnComplete: false,
    removeOnFail: false,
  });
  const add = (k: number) => queue.add(RUN_JOB_NAME, jobData(k), jobOpts(k));

  // What the follower last saw of each job: its state, restarts and progress (for the counts and the ETA).
  const seen = new Map<number, { state: string; restarts: number; fraction: number }>();
  const started = performance.now();
  let doneHere = 0;
  const restarts = () => [...seen.values()].reduce((sum, s) => sum + s.restarts, 0);
  const status = (): QueueStatus => {
    let running = 0;
    let queued = 0;
    let partial = 0;
    for (const k of pending) {
      const s = seen.get(k);
      if (s && ACTIVE_STATES.has(s.state)) {
        running++;
        partial += s.fraction;
      } else if (!s || !FINAL_STATES.has(s.state)) queued++;
    }
    const retried = restarts();
    const progressed = doneHere + partial;
    const left = n - tables.size - summary.failed.length;
    const elapsed = (performance.now() - started) / 1000;
    return { total: n, done: tables.size, running, queued, failed: summary.failed.length, retried, etaSec: progressed > 0 ? (elapsed / progressed) * (left - partial) : NaN, redisUp };
  };
  const report = () => settings.onStatus?.(status());

  const finish = (k: number) => {
    tables.add(k, loadRun(dirOf(k)), false);
    pending.delete(k);
    doneHere++;
  };
  const fail = (k: number, attempts: number, error: string) => {
    summary.failed.push({ index: k, runId: prepared.ids[k], attempts, error });
    pending.delete(k);
  };

  /** Look at run k's job and act on what it shows; safe to repeat (each step is idempotent). */
  const check = async (k: number): Promise<void> => {
    if (!pending.has(k)) return;
    const id = prepared.ids[k];
    // The state first, then the job: a job read before its state could be read active and seen completed, without its return value.
    const state = await queue.getJobState(id);
    if (isSavedRun(dirOf(k))) {
      // Written by us before a crash, by a worker (shared DIR) or by another sweep process: done; tidy the queue.
      const job = state === 'completed' ? await Job.fromId<RunJobData, RunJobReturn>(queue, id) : undefined;
      if (job) await cleanUp(job);
      finish(k);
      return;
    }
    if (state === 'unknown') {
      // Lost (a Redis without persistence restarted) or removed by someone: enqueue it again.
      await add(k);
      summary.requeued++;
      return;
    }
    const job = await Job.fromId<RunJobData, RunJobReturn>(queue, id);
    if (!job) return; // removed since: the next check re-enqueues it
    const progress = job.progress as { step?: number; total?: number } | undefined;
    const fraction = progress && typeof progress.step === 'number' && progress.total ? Math.min(1, progress.step / progress.total) : 0;
    seen.set(k, { state, restarts: Math.max(0, (job.attemptsStarted ?? 0) - 1), fraction });
    if (state === 'failed') {
      fail(k, job.attemptsMade, job.failedReason ?? 'failed');
      return;
    }
    if (state !== 'completed') return;
    const ret = job.returnvalue;
    if (ret?.delivery === 'redis') {
      const buf = await redis.getBuffer(ret.key);
      if (!buf) {
        // A completed job whose files are gone (removed by hand): run it again.
        await job.remove();
        await add(k);
        summary.requeued++;
        return;
      }
      writeRunFiles(dirOf(k), unpackRunFiles(buf));
      await cleanUp(job);
      finish(k);
    } else if (ret?.delivery === 'shared' && ret.dir === dirOf(k)) {
      fail(k, job.attemptsMade, `a worker wrote ${ret.dir} but it is not there on this machine: is ${outDir} on a filesystem every worker sees at the same path? (or sweep without the shared directory)`);
    } else if (ret?.delivery === 'shared') {
      // Completed for another sweep (another DIR): run it for this one.
      await job.remove();
      await add(k);
    } else {
      throw new Error(`job ${id} is completed but says nothing of where its files are (${JSON.stringify(ret)})`);
    }
  };
  const cleanUp = async (job: Job<RunJobData, RunJobReturn>) => {
    if (job.returnvalue?.delivery === 'redis') await redis.del(job.returnvalue.key);
    await job.remove();
  };

  // One check of a run at a time; a request while one runs is folded into one more check after it.
  // A run whose checks keep throwing (its files cannot be written here, say) fails rather than stalling the sweep.
  const checking = new Map<number, Promise<void>>();
  const again = new Set<number>();
  const errors = new Map<number, number>();
  let wake: () => void = () => {};
  const schedule = (k: number): Promise<void> => {
    const running = checking.get(k);
    if (running) {
      again.add(k);
      return running;
    }
    const p = (async () => {
      do {
        again.delete(k);
        try {
          await check(k);
          errors.delete(k);
        } catch (e) {
          const count = (errors.get(k) ?? 0) + 1;
          errors.set(k, count);
          if (count >= 3 && pending.has(k)) fail(k, 0, `could not collect the run: ${(e as Error).message}`);
        }
      } while (again.has(k) && pending.has(k));
      checking.delete(k);
      report();
      wake();
    })();
    checking.set(k, p);
    return p;
  };
  const onEvent = ({ jobId }: { jobId: string }) => {
    const k = indexOf.get(jobId);
    if (k !== undefined && pending.has(k)) void schedule(k);
  };
  for (const e of ['active', 'completed', 'failed', 'waiting', 'delayed', 'removed'] as const) events.on(e, onEvent);
  const inChunks = async (ks: number[], f: (k: number) => Promise<unknown>) => {
    for (let i = 0; i < ks.length && !signal?.aborted; i += 64) await Promise.all(ks.slice(i, i + 64).map(f));
  };

  try {
    await events.waitUntilReady();
    // Enqueue what the queue lacks; follow what it has. A job that failed for good in an earlier sweep gets a fresh start.
    const toAdd: number[] = [];
    await inChunks([...pending], async (k) => {
      const job = await Job.fromId(queue, prepared.ids[k]);
      if (job && (await job.getState()) !== 'failed') summary.attached++;
      else {
        if (job) await job.remove();
        toAdd.push(k);
      }
    });
    toAdd.sort((a, b) => a - b);
    for (let i = 0; i < toAdd.length; i += 500) {
      await queue.addBulk(toAdd.slice(i, i + 500).map((k) => ({ name: RUN_JOB_NAME, data: jobData(k), opts: jobOpts(k) })));
    }
    summary.enqueued = toAdd.length;

    // Events bring most news at once; a full pass every reconcileMs catches what they miss (a restart, events before we listened).
    const aborted = new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
    let lastPass = -Infinity;
    while (pending.size > 0 && !signal?.aborted) {
      if (performance.now() - lastPass >= settings.reconcileMs) {
        lastPass = performance.now();
        await inChunks([...pending], schedule);
        report();
        continue;
      }
      const woken = new Promise<void>((r) => (wake = r));
      await raceTimer(settings.reconcileMs - (performance.now() - lastPass), aborted, woken);
    }
  } finally {
    // Checks in flight write atomically; give them a moment, then let go (Redis may be down).
    await raceTimer(2000, Promise.all(checking.values()));
    await raceTimer(2000, Promise.all([events.close(), queue.close(), redis.quit()])).catch(() => {});
    redis.disconnect();
    await Promise.all([events.disconnect(), queue.disconnect()]).catch(() => {});
  }
  const interrupted = pending.size > 0;
  report();
  summary.retried = restarts();
  return { ...tables.result(interrupted ? 'interrupted' : 'finished'), queue: summary };
}
