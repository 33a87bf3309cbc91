import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker, WaitingError, type Job } from 'bullmq';
import { ConfigError } from '../config/validate.ts';
import { saveRun } from '../results/runDir.ts';
import { parseRunConfig } from '../run/parseRunConfig.ts';
import { runParsed } from '../run/runExperiment.ts';
import type { RunResult, RunStatus } from '../run/runRecord.ts';
import { ProblemPool } from './problemPool.ts';
import { DEFAULT_QUEUE_NAME, packRunFiles, resultKey, runFilesOf, type RunJobData, type RunJobReturn } from './queueProtocol.ts';
import { checkRedis, openRedis } from './redisConnection.ts';

export interface QueueWorkerOptions {
  /** redis://[:password@]host:port[/db] of the sweep's queue. */
  queue: string;
  queueName?: string;
  /** Runs at once in this process (default 1; runs of the sim engine share one CPU core). */
  concurrency?: number;
  /** How long a job's lock lasts unrenewed (ms, default 30 000): a worker that died holds a job this long. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (ms, default 30 000). */
  stalledIntervalMs?: number;
  /** Times a job may be found stalled (its worker gone) and put back before it counts as failed (default 2). */
  maxStalledCount?: number;
  /** Seconds between progress reports of a run to the queue (default 2). */
  progressIntervalSec?: number;
  /** Stored on the jobs this worker takes (default host:pid). */
  name?: string;
  onEvent?: (e: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'ready'; queue: string; queueName: string; concurrency: number; name: string }
  | { type: 'start'; runId: string; attempt: number; attempts: number; /** Starts of this attempt before, whose worker stopped or died. */ restarts: number }
  | { type: 'done'; runId: string; status: RunStatus; seconds: number }
  | { type: 'failed'; runId: string; attempt: number; attempts: number; error: string; final: boolean }
  | { type: 'returned'; runId: string }
  | { type: 'error'; error: string };

export interface QueueWorker {
  /**
   * Stop taking jobs and close. 'return' (default) stops the runs in flight and puts their jobs
   * back in the queue (the attempt is not counted; another worker starts them afresh); 'finish'
   * lets them finish first.
   */
  close(mode?: 'return' | 'finish'): Promise<void>;
  /** Resolves once the worker has closed. */
  readonly closed: Promise<void>;
  readonly stats: { done: number; failed: number; returned: number; active: number };
}

/**
 * Pull runs of sweeps from a BullMQ queue on Redis and run each on the engine and backend its
 * config names. A run's files go back through Redis (or straight to DIR/<run id>/ when the sweep
 * says DIR is shared). A run whose status is "failed", or whose config does not load here, fails
 * the attempt: BullMQ retries it with backoff up to the sweep's attempts; the last attempt of a
 * failed run is delivered like any result (a local sweep saves failed runs too). "diverged" is a
 * result. If this process dies, its jobs' locks expire and another worker's stalled check
 * puts them back in the queue.
 */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`worker concurrency: expected an integer ≥ 1, got ${concurrency}`);
  const { target, connection } = await checkRedis(opts.queue, 'queue');
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const name = opts.name ?? `${hostname()}-${process.pid}`;
  const emit = (e: WorkerEvent) => opts.onEvent?.(e);
  const redis = openRedis(target);
  const problems = new ProblemPool();
  const inFlight = new Map<string, AbortController>();
  const stats = { done: 0, failed: 0, returned: 0, active: 0 };
  let returning = false;

  const deliver = async (data: RunJobData, result: RunResult): Promise<RunJobReturn> => {
    const status = result.record.status;
    if (data.sharedDir !== undefined) {
      const dir = join(data.sharedDir, data.runId);
      saveRun(dir, result);
      return { delivery: 'shared', dir, status };
    }
    const key = resultKey(queueName, data.runId);
    const packed = packRunFiles(runFilesOf(result));
    await redis.set(key, packed);
    return { delivery: 'redis', key, bytes: packed.length, status };
  };

  const processRun = async (job: Job<RunJobData, RunJobReturn>, token?: string): Promise<RunJobReturn> => {
    const data = job.data;
    const attempts = job.opts.attempts ?? 1;
    const attempt = job.attemptsMade + 1;
    emit({ type: 'start', runId: data.runId, attempt, attempts, restarts: Math.max(0, (job.attemptsStarted ?? 1) - 1 - job.attemptsMade) });
    const abort = new AbortController();
    inFlight.set(job.id!, abort);
    stats.active++;
    try {
      const config = await parseRunConfig(data.config, `job ${data.runId}: config`);
      const lent = await problems.acquire(config);
      let result: RunResult;
      try {
        const onProgress = (p: { step: number; total: number; loss: number }) => {
          job.updateProgress({ step: p.step, total: p.total, loss: Number.isFinite(p.loss) ? p.loss : null }).catch(() => {});
        };
        result = await runParsed(config, { control: { signal: abort.signal, progressIntervalSec: opts.progressIntervalSec ?? 2, onProgress }, problem: lent });
      } finally {
        problems.release(lent);
      }
      const status = result.record.status;
      if (status === 'interrupted') {
        if (returning && token) {
          await job.moveToWait(token);
          stats.returned++;
          emit({ type: 'returned', runId: data.runId });
          throw new WaitingError();
        }
        throw new Error(`run ${data.runId} was interrupted`);
      }
      if (status === 'failed' && attempt < attempts) throw new Error(`run failed: ${result.record.message ?? 'no message'}`);
      return await deliver(data, result);
    } finally {
      stats.active--;
      inFlight.delete(job.id!);
    }
  };

  const worker = new Worker<RunJobData, RunJobReturn>(queueName, processRun, {
    connection,
    concurrency,
    name,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    maxStalledCount: opts.maxStalledCount ?? 2,
    autorun: false,
  });
  worker.on('failed', (job, err) => {
    if (!job || err instanceof WaitingError || err.name === 'WaitingError') return;
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= attempts || job.finishedOn !== undefined;
    if (final) stats.failed++;
    emit({ type: 'failed', runId: job.data.runId, attempt: job.attemptsMade, attempts, error: err.message, final });
  });
  // Done once the queue has it (moveToCompleted went through), not merely once the run ended here.
  worker.on('completed', (job, ret) => {
    stats.done++;
    emit({ type: 'done', runId: job.data.runId, status: ret.status, seconds: ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000 });
  });
  worker.on('error', (err) => emit({ type: 'error', error: err.message }));
  void worker.run().catch((e: Error) => emit({ type: 'error', error: e.message }));
  await worker.waitUntilReady();
  emit({ type: 'ready', queue: target.display, queueName, concurrency, name });

  let closing: Promise<void> | null = null;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  return {
    stats,
    closed,
    close(mode = 'return') {
      // 'return' also cuts short a close that was letting the runs finish (a second Ctrl-C).
      if (mode === 'return') {
        returning = true;
        for (const a of inFlight.values()) a.abort();
      }
      if (!closing) {
        closing = (async () => {
          await worker.close();
          problems.dispose();
          await redis.quit().catch(() => redis.disconnect());
          resolveClosed();
        })();
      }
      return closing;
    },
  };
}
