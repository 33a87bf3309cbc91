import type { Worker } from 'node:worker_threads';
import type { Batch } from '../../data/dataset.ts';
import type { GradientResult } from '../../oracle/oracle.ts';
import { ruleNeedsTsx, siblingModule, spawnWorker } from '../../run/spawnWorker.ts';
import type { ComputeInit, ComputeReply, ComputeRequest } from './computeMessages.ts';
import type { GradientJobs } from './gradientJobs.ts';
import type { SimConfig } from './simConfig.ts';

interface Job {
  batch: number;
  due: number;
  /** Dispatched to a thread; `result` once it answered. */
  running: boolean;
  result: GradientResult | null;
  waiter: ((r: GradientResult) => void) | null;
}

/**
 * The simulator's gradients on K compute threads, each with its own problem (its own
 * TensorFlow.js or native backend): while the master applies updates in simulated order, the
 * threads compute the gradients of jobs in flight, the next due first, from the parameters and
 * minibatch each job was sent with, so the run's tables are identical to computing each gradient
 * when it is applied. Jobs whose apply falls past the budget are not computed. Parameters and
 * gradients live in shared job slots (no copies through messages).
 */
export class ComputePool implements GradientJobs {
  passes = 0;
  computed = 0;
  private readonly thetaViews: Float32Array[];
  private readonly gradViews: Float32Array[];
  private readonly jobs: (Job | null)[];
  private readonly idle: Worker[] = [];
  private failure: Error | null = null;
  /** The rejects of every promise a caller awaits now, so that a thread's failure reaches them. */
  private readonly pending = new Set<(e: Error) => void>();
  private stepsLeft: number;
  private roundWaiters = new Map<number, (r: GradientResult) => void>();

  private constructor(
    private readonly workers: Worker[],
    private readonly dim: number,
    thetas: SharedArrayBuffer,
    grads: SharedArrayBuffer,
    private readonly n: number,
    totalSteps: number,
  ) {
    this.stepsLeft = totalSteps;
    const view = (b: SharedArrayBuffer, i: number) => new Float32Array(b, i * dim * 4, dim);
    this.thetaViews = Array.from({ length: n + 1 }, (_, i) => view(thetas, i));
    this.gradViews = Array.from({ length: n }, (_, i) => view(grads, i));
    this.jobs = new Array(n).fill(null);
    for (const w of workers) w.on('message', (m: ComputeReply) => this.onReply(w, m));
  }

  /** Start K compute threads for a run of N workers on a problem of D parameters; resolves once all are ready. */
  static async start(config: SimConfig, threads: number, dim: number, batchSeed: number, totalSteps: number): Promise<ComputePool> {
    const n = config.workers;
    const thetas = new SharedArrayBuffer((n + 1) * dim * 4);
    const grads = new SharedArrayBuffer(n * dim * 4);
    const entry = siblingModule(import.meta.url, 'computeWorker');
    const workers = Array.from({ length: threads }, (_, thread) => {
      const init: ComputeInit = { config, thread, dim, batchSeed, thetas, grads };
      return spawnWorker(entry, init, { tsx: ruleNeedsTsx(config.rule) });
    });
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (m: ComputeReply) => {
                if (m.type === 'ready') resolve();
                else if (m.type === 'error') reject(Object.assign(new Error(m.message), { stack: m.stack }));
                else return;
                w.off('message', onMessage);
              };
              w.on('message', onMessage);
              w.once('error', reject);
              w.once('exit', (code) => reject(new Error(`a compute thread exited with code ${code} before it was ready`)));
            }),
        ),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new ComputePool(workers, dim, thetas, grads, n, totalSteps);
    pool.idle.push(...workers);
    for (const w of workers) {
      w.on('error', (e) => pool.fail(e));
      w.on('exit', (code) => code !== 0 && pool.fail(new Error(`a compute thread exited with code ${code}`)));
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  buffer(i: number): Float32Array {
    return this.thetaViews[i];
  }

  sent(i: number, batch: Batch, _version: number, due: number): void {
    this.jobs[i] = { batch: batch.index, due, running: false, result: null, waiter: null };
    this.dispatch();
  }

  async take(i: number, stepsLeft: number): Promise<GradientResult> {
    this.stepsLeft = stepsLeft;
    const job = this.jobs[i];
    if (!job) throw new Error(`ComputePool: worker ${i} has no job`);
    let result = job.result;
    if (!result) {
      this.dispatch();
      result = await this.wait<GradientResult>((resolve) => (job.waiter = resolve));
    }
    this.jobs[i] = null;
    // This update leaves one fewer: a job ranked just past the budget may now be needed.
    this.stepsLeft = stepsLeft - 1;
    this.dispatch();
    return result;
  }

  /** Send idle threads the undispatched jobs due first, only as many as can still be applied. */
  private dispatch(): void {
    while (this.idle.length > 0 && !this.failure) {
      let best = -1;
      let rank = 0;
      for (let j = 0; j < this.n; j++) {
        const job = this.jobs[j];
        if (!job || job.result || job.running) continue;
        if (best < 0 || job.due < this.jobs[best]!.due || (job.due === this.jobs[best]!.due && j < best)) best = j;
      }
      if (best < 0) return;
      // Jobs due before the best one that are pending or running are applied first.
      for (let j = 0; j < this.n; j++) {
        const job = this.jobs[j];
        if (job && j !== best && (job.due < this.jobs[best]!.due || (job.due === this.jobs[best]!.due && j < best))) rank++;
      }
      if (rank >= this.stepsLeft) return;
      const job = this.jobs[best]!;
      job.running = true;
      this.post(this.idle.pop()!, { type: 'job', theta: best, grad: best, batch: job.batch });
    }
  }

  private post(w: Worker, m: ComputeRequest): void {
    this.passes++;
    w.postMessage(m);
  }

  private onReply(w: Worker, m: ComputeReply): void {
    if (m.type === 'error') return this.fail(Object.assign(new Error(m.message), { stack: m.stack }));
    if (m.type !== 'done') return;
    this.computed++;
    this.idle.push(w);
    const result: GradientResult = { loss: m.loss, g: this.gradViews[m.grad], ...(m.stats ? { stats: m.stats } : {}) };
    const round = this.roundWaiters.get(m.grad);
    if (round) {
      this.roundWaiters.delete(m.grad);
      round(result);
    } else {
      const job = this.jobs[m.grad];
      if (job) {
        job.result = result;
        job.running = false;
        if (job.waiter) job.waiter(result);
      }
    }
    this.dispatch();
  }

  /** SSGD: θ in the spare slot, the N gradients spread over the threads. */
  async round(theta: Float32Array, batches: Batch[]): Promise<GradientResult[]> {
    this.thetaViews[this.n].set(theta);
    const queue = batches.map((b, k) => ({ batch: b.index, grad: k }));
    const results = new Array<GradientResult>(batches.length);
    await this.wait<void>((resolve) => {
      let left = batches.length;
      const feed = () => {
        while (this.idle.length > 0 && queue.length > 0) {
          const { batch, grad } = queue.shift()!;
          this.roundWaiters.set(grad, (r) => {
            results[grad] = r;
            if (--left === 0) resolve();
            else feed();
          });
          this.post(this.idle.pop()!, { type: 'job', theta: this.n, grad, batch });
        }
      };
      feed();
    });
    return results;
  }

  /** A promise that `register` resolves, rejected instead if a compute thread fails. */
  private wait<T>(register: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const onFail = (e: Error) => reject(e);
      this.pending.add(onFail);
      register((value) => {
        this.pending.delete(onFail);
        resolve(value);
      });
    });
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const reject of [...this.pending]) reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        w.postMessage({ type: 'close' } satisfies ComputeRequest);
        // A thread stuck in a gradient is stopped rather than waited for.
        const timer = setTimeout(() => void w.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
