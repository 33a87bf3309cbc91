import type { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestStop, type SharedControl } from './sharedControl.ts';
import { ruleNeedsTsx, siblingModule, spawnWorker } from '../../run/spawnWorker.ts';
import type { ThreadRows } from './threadRows.ts';
import type { ThreadStats, WorkerInit, WorkerMessage } from './workerMessages.ts';

let live = 0;

/** Worker threads started by any run in this process that have not exited yet (0 between runs). */
export function liveThreadWorkers(): number {
  return live;
}

export interface WorkerFailure {
  thread: number;
  message: string;
  stack?: string;
}

/**
 * The T worker threads of one run, seen from the main thread: collects their rows and stats,
 * turns the first error anywhere into a stop for all, and joins them (terminating any that do not
 * finish within a grace period), so a run never leaves a worker behind.
 */
export class WorkerGang {
  readonly stats: (ThreadStats | null)[];
  readonly rowBatches: ThreadRows[] = [];
  ready = 0;
  /** Workers this gang had to terminate because they did not stop in time. */
  terminated = 0;
  failure: WorkerFailure | null = null;
  /** Threads waiting at the current checkpoint, and each one's counts when it paused. */
  paused = 0;
  readonly pausedStats: (ThreadStats | null)[];
  /** Mean minibatch loss of the newest row batch, for progress reports. */
  lastLoss = NaN;
  private readonly workers: Worker[];
  private readonly exits: Promise<void>[];
  private readonly hasExited: boolean[];

  constructor(inits: WorkerInit[], private readonly control: SharedControl) {
    this.stats = inits.map(() => null);
    this.pausedStats = inits.map(() => null);
    this.hasExited = inits.map(() => false);
    this.workers = inits.map((init) => spawnWorker(siblingModule(import.meta.url, 'threadWorker'), init, { tsx: ruleNeedsTsx(init.config.rule) }));
    live += this.workers.length;
    this.exits = this.workers.map((w, thread) => {
      w.on('message', (m: WorkerMessage) => this.onMessage(m));
      w.on('error', (e: Error) => this.fail({ thread, message: e.message, stack: e.stack }));
      w.on('messageerror', (e: Error) => this.fail({ thread, message: `message could not be read: ${e.message}` }));
      return new Promise<void>((resolve) =>
        w.once('exit', (code) => {
          live--;
          this.hasExited[thread] = true;
          if (code !== 0 && this.stats[thread] === null) this.fail({ thread, message: `worker exited with code ${code}` });
          resolve();
        }),
      );
    });
  }

  get size(): number {
    return this.workers.length;
  }

  get exited(): number {
    return this.hasExited.filter(Boolean).length;
  }

  private onMessage(m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        this.ready++;
        break;
      case 'rows':
        this.rowBatches.push(m);
        this.lastLoss = m.rows.loss.subarray(0, m.n).reduce((a, l) => a + l, 0) / m.n;
        break;
      case 'done':
        this.stats[m.thread] = m.stats;
        break;
      case 'paused':
        this.pausedStats[m.thread] = m.stats;
        this.paused++;
        break;
      case 'error':
        this.stats[m.thread] = m.stats;
        this.fail({ thread: m.thread, message: m.message, stack: m.stack });
        break;
    }
  }

  private fail(f: WorkerFailure): void {
    this.failure ??= f;
    requestStop(this.control);
  }

  /** Wait until every worker is ready to start; false if one failed or exited first, or `cancelled()`. */
  async waitReady(cancelled: () => boolean): Promise<boolean> {
    while (this.ready < this.size) {
      if (this.failure || this.exited > 0 || cancelled()) return false;
      await sleep(5);
    }
    return true;
  }

  /** Stop everyone and wait for all exits, terminating stragglers after `graceMs`. */
  async join(graceMs: number): Promise<void> {
    requestStop(this.control);
    const all = Promise.all(this.exits);
    const timer = new AbortController();
    const timedOut = await Promise.race([
      all.then(() => false),
      sleep(graceMs, true, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!timedOut) return;
    await Promise.all(
      this.workers.map(async (w, thread) => {
        if (this.hasExited[thread]) return;
        this.terminated++;
        await w.terminate();
      }),
    );
    await all;
  }
}
