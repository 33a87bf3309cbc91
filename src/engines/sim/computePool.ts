import type { Batch, BatchSource } from '../../data/dataset.ts';
import type { GradientOracle, GradientResult } from '../../oracle/oracle.ts';
import { acquireComputeThreads, releaseComputeThreads, type ComputeThread } from './computeThreads.ts';
import type { GradientJobs } from './gradientJobs.ts';
import { allocateJobBoard, Cell, computeJob, JobBoard, JobState } from './jobBoard.ts';
import type { SimConfig } from './simConfig.ts';

/**
 * The simulator's gradients on K threads: the master and K − 1 helper threads, each with its own
 * problem (its own TensorFlow.js or native backend). The helpers compute the gradients of jobs in
 * flight, the next due first, from the parameters and minibatch each job was sent with, while the
 * master applies updates in simulated order; when the gradient it needs is not ready, the master
 * computes the next job due itself rather than wait. So the run's tables are identical to
 * computing each gradient when it is applied, and K threads keep K cores busy: with K helpers the
 * master was a (K+1)th busy thread, descheduled for whole time slices (4–8 ms stalls every dozen
 * updates on 2 cores). Jobs whose apply falls past the budget are not computed. Jobs, parameters
 * and gradients live on a shared board (jobBoard.ts): no message per job, no copies.
 */
export class ComputePool implements GradientJobs {
  private failure: Error | null = null;
  /** The rejects of every promise a caller awaits now, so that a thread's failure reaches them. */
  private readonly pending = new Set<(e: Error) => void>();
  private batch: Batch | undefined;

  private constructor(
    private readonly helpers: ComputeThread[],
    private readonly board: JobBoard,
    private readonly n: number,
    private readonly oracle: GradientOracle,
    private readonly batches: BatchSource,
  ) {}

  /**
   * K threads computing the gradients of a run of N workers: this one, on `oracle`, and K − 1
   * helpers (computeThreads.ts: left idle by the last run of this problem, or started here);
   * resolves once all are ready.
   */
  static async start(config: SimConfig, threads: number, oracle: GradientOracle, batchSeed: number, totalSteps: number): Promise<ComputePool> {
    const n = config.workers;
    const buffers = allocateJobBoard(n, oracle.dim, oracle.state.length);
    const board = new JobBoard(buffers);
    board.setStepsLeft(totalSteps);
    const helpers = await acquireComputeThreads(config, threads - 1);
    const pool = new ComputePool(helpers, board, n, oracle, oracle.batches(config.batchSize, batchSeed));
    helpers.forEach((h, k) => h.run({ board: buffers, batchSeed, batchSize: config.batchSize, rule: config.rule, thread: k + 1 }, (e) => pool.fail(e)));
    return pool;
  }

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** One oracle pass per gradient. */
  get passes(): number {
    return this.computed;
  }

  get computed(): number {
    return this.board.get(Cell.COMPUTED);
  }

  buffer(i: number): Float32Array {
    return this.board.theta[i];
  }

  sent(i: number, batch: number, _version: number, due: number): void {
    this.board.post(i, batch, due, i);
  }

  async take(i: number, stepsLeft: number): Promise<GradientResult> {
    this.board.setStepsLeft(stepsLeft);
    await this.help(i);
    const result = this.result(i);
    this.board.clear(i);
    // This update leaves one fewer: a job ranked just past the budget may now be needed.
    this.board.setStepsLeft(stepsLeft - 1);
    return result;
  }

  /** SSGD: θ in the spare slot, the N gradients spread over the threads. */
  async round(theta: Float32Array, batches: number[]): Promise<GradientResult[]> {
    this.board.theta[this.n].set(theta);
    this.board.setStepsLeft(batches.length);
    batches.forEach((b, k) => this.board.post(k, b, k, this.n));
    const results: GradientResult[] = [];
    for (let k = 0; k < batches.length; k++) {
      await this.help(k);
      results.push(this.result(k));
    }
    for (let k = 0; k < batches.length; k++) this.board.clear(k);
    return results;
  }

  private result(j: number): GradientResult {
    const stats = this.board.buffers.statsLength > 0 ? { stats: this.board.stats[j] } : {};
    return { loss: this.board.loss(j), g: this.board.grad[j], ...stats };
  }

  /**
   * Until job j is done, compute the next due job here; once none is left to claim, wait for the
   * helper computing j. Rejected if a helper fails.
   */
  private async help(j: number): Promise<void> {
    const board = this.board;
    while (board.state(j) !== JobState.DONE) {
      if (this.failure) throw this.failure;
      const k = board.claim();
      if (k < 0) return this.ready(j);
      this.batch = await computeJob(board, k, this.oracle, this.batches, this.batch);
    }
  }

  /** Resolves once job j is done; rejected instead if a helper fails. */
  private async ready(j: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.board.state(j) === JobState.DONE) return;
    const done = this.board.done(j);
    await new Promise<void>((resolve, reject) => {
      const onFail = (e: Error) => reject(e);
      this.pending.add(onFail);
      void done.then(() => {
        this.pending.delete(onFail);
        resolve();
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
    this.board.close();
    const finished = await Promise.all(this.helpers.map((h) => h.finished()));
    await releaseComputeThreads(this.helpers, finished);
  }
}
