import type { Worker } from 'node:worker_threads';
import { problemKey } from '../../run/problem.ts';
import { ruleNeedsTsx, siblingModule, spawnWorker } from '../../run/spawnWorker.ts';
import type { ComputeInit, ComputeReply, ComputeRequest } from './computeMessages.ts';
import type { JobBoardBuffers } from './jobBoard.ts';
import type { SimConfig } from './simConfig.ts';

/** How long idle compute threads wait for another run of their problem before they exit. */
const IDLE_MS = 30_000;
/** How long a closed run waits for a thread to finish its gradient before stopping it. */
const FINISH_MS = 5_000;

/**
 * One helper thread of the simulator's compute pool (computeWorker.ts). It builds its problem once
 * (data, model, backend: seconds for a real dataset, and a cold JIT) and then serves one run after
 * another, so that consecutive runs on the same problem (a sweep, a notebook's cells) start at once
 * on a warm thread. Only model problems are kept: a built-in objective is seeded per run.
 */
export class ComputeThread {
  private waiting: { type: 'ready' | 'idle'; resolve: () => void; reject: (e: Error) => void } | null = null;
  private onError: (e: Error) => void = () => {};
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly key: string | null,
  ) {
    worker.on('message', (m: ComputeReply) => {
      if (m.type === 'error') this.failed(Object.assign(new Error(m.message), { stack: m.stack }));
      else if (this.waiting?.type === m.type) {
        this.waiting.resolve();
        this.waiting = null;
      }
    });
    worker.on('error', (e) => this.failed(e));
    worker.on('exit', (code) => this.failed(new Error(`a compute thread exited with code ${code}`)));
  }

  /** A new thread on the run's problem; resolves once it is ready. */
  static async spawn(config: SimConfig, thread: number, key: string | null): Promise<ComputeThread> {
    const init: ComputeInit = { config, thread };
    const t = new ComputeThread(spawnWorker(siblingModule(import.meta.url, 'computeWorker'), init, { tsx: ruleNeedsTsx(config.rule) }), key);
    try {
      await t.reply('ready');
    } catch (e) {
      await t.worker.terminate();
      throw e;
    }
    return t;
  }

  /** Compute the jobs of a run's board until it is closed; `onError` hears of this thread's failure meanwhile. */
  run(request: Omit<Extract<ComputeRequest, { type: 'run' }>, 'type'>, onError: (e: Error) => void): void {
    this.onError = onError;
    this.worker.ref();
    this.worker.postMessage({ type: 'run', ...request } satisfies ComputeRequest);
  }

  /** After the run's board was closed: whether the thread finished that run and can serve another. */
  async finished(): Promise<boolean> {
    // A thread stuck in a gradient is stopped rather than waited for.
    const timer = setTimeout(() => void this.worker.terminate(), FINISH_MS);
    try {
      await this.reply('idle');
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      this.onError = () => {};
    }
  }

  /** Idle between runs: the thread alone must not keep the process alive. */
  park(): void {
    this.worker.unref();
  }

  /** Dispose of the problem and end the thread. */
  async exit(): Promise<void> {
    if (this.failure) return void (await this.worker.terminate());
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'exit' } satisfies ComputeRequest);
    const timer = setTimeout(() => void this.worker.terminate(), FINISH_MS);
    await exited;
    clearTimeout(timer);
  }

  private reply(type: 'ready' | 'idle'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.waiting = { type, resolve, reject };
    });
  }

  private failed(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.onError(e);
    this.waiting?.reject(e);
    this.waiting = null;
  }
}

/** Threads left by a finished run, for the next run of the same problem. */
let idle: { key: string; threads: ComputeThread[]; timer: NodeJS.Timeout } | null = null;

/** Key of the problem a compute thread builds: reused only for the same one (model problems only). */
function threadKey(config: SimConfig): string | null {
  const key = problemKey(config);
  return key === null ? null : JSON.stringify([key, ruleNeedsTsx(config.rule)]);
}

/** `count` ready threads on the config's problem: idle ones of the same problem first, the rest new. */
export async function acquireComputeThreads(config: SimConfig, count: number): Promise<ComputeThread[]> {
  const key = threadKey(config);
  const reused = idle && idle.key === key ? idle.threads.splice(0, count) : [];
  if (idle && (idle.key !== key || idle.threads.length === 0)) await closeComputeThreads();
  const fresh = await Promise.allSettled(Array.from({ length: count - reused.length }, (_, k) => ComputeThread.spawn(config, reused.length + k + 1, key)));
  const started = [...reused, ...fresh.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  const failed = fresh.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((t) => t.exit()));
    throw failed.reason;
  }
  return started;
}

/** Threads whose run ended: kept for the next run of their problem (if they finished it cleanly), else ended. */
export async function releaseComputeThreads(threads: ComputeThread[], healthy: boolean[]): Promise<void> {
  const keep = threads.filter((t, i) => healthy[i] && t.key !== null);
  await Promise.all(threads.filter((t) => !keep.includes(t)).map((t) => t.exit()));
  if (keep.length === 0) return;
  const key = keep[0].key!;
  if (idle && idle.key !== key) await closeComputeThreads();
  keep.forEach((t) => t.park());
  if (idle) clearTimeout(idle.timer);
  const timer = setTimeout(() => void closeComputeThreads(), IDLE_MS).unref();
  idle = { key, threads: [...(idle?.threads ?? []), ...keep], timer };
}

/**
 * End the idle compute threads a finished run left for the next run of its problem (they hold a
 * copy of its data and backend; they also end by themselves 30 s after their last run, and never
 * keep the process alive). Returns how many it ended.
 */
export async function closeComputeThreads(): Promise<number> {
  const was = idle;
  idle = null;
  if (!was) return 0;
  clearTimeout(was.timer);
  await Promise.all(was.threads.map((t) => t.exit()));
  return was.threads.length;
}
