import type { Batch, BatchSource } from '../../data/dataset.ts';
import type { GradientOracle } from '../../oracle/oracle.ts';

/**
 * The shared memory through which the simulator's master and its compute threads exchange jobs
 * (ComputePool): every job's state, minibatch, due time, θ slot and loss, and the counters both
 * sides read. The threads claim the next due job themselves (compare-and-swap), so the master
 * never has to turn its event loop to hand out work: posting and answering a message per job
 * left a thread idle whenever the master was busy applying gradients already computed.
 */
export const JobState = { EMPTY: 0, PENDING: 1, RUNNING: 2, DONE: 3 } as const;

/** Int32 cells before the job states. */
export const Cell = {
  /** Bumped on every change a sleeping thread may care about (a job sent, the budget moved, close). */
  SEQ: 0,
  CLOSE: 1,
  /** Updates the run may still apply: a job ranked at or past it is not computed. */
  STEPS_LEFT: 2,
  COMPUTED: 3,
  /** Threads waiting for SEQ to change (the master notifies only when some are). */
  SLEEPERS: 4,
} as const;
const CELLS = 5;

/** Float64 fields per job. */
const F = { DUE: 0, BATCH: 1, THETA: 2, LOSS: 3 } as const;
const FIELDS = 4;

export interface JobBoardBuffers {
  cells: SharedArrayBuffer;
  fields: SharedArrayBuffer;
  /** Slots + 1 θ vectors (the last: SSGD's shared θ), slots gradient vectors, slots stats vectors. */
  thetas: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  slots: number;
  dim: number;
  statsLength: number;
}

export function allocateJobBoard(slots: number, dim: number, statsLength: number): JobBoardBuffers {
  return {
    cells: new SharedArrayBuffer((CELLS + slots) * 4),
    fields: new SharedArrayBuffer(slots * FIELDS * 8),
    thetas: new SharedArrayBuffer((slots + 1) * dim * 4),
    grads: new SharedArrayBuffer(slots * dim * 4),
    stats: new SharedArrayBuffer(Math.max(1, slots * statsLength) * 4),
    slots,
    dim,
    statsLength,
  };
}

/** Views over the buffers, the same on both sides. */
export class JobBoard {
  readonly cells: Int32Array;
  private readonly f: Float64Array;
  readonly theta: Float32Array[];
  readonly grad: Float32Array[];
  readonly stats: Float32Array[];
  readonly slots: number;

  constructor(readonly buffers: JobBoardBuffers) {
    const { slots, dim, statsLength } = buffers;
    this.slots = slots;
    this.cells = new Int32Array(buffers.cells);
    this.f = new Float64Array(buffers.fields);
    this.theta = Array.from({ length: slots + 1 }, (_, i) => new Float32Array(buffers.thetas, i * dim * 4, dim));
    this.grad = Array.from({ length: slots }, (_, i) => new Float32Array(buffers.grads, i * dim * 4, dim));
    this.stats = Array.from({ length: slots }, (_, i) => new Float32Array(buffers.stats, i * statsLength * 4, statsLength));
  }

  state(j: number): number {
    return Atomics.load(this.cells, CELLS + j);
  }

  get(c: number): number {
    return Atomics.load(this.cells, c);
  }

  due(j: number): number {
    return this.f[j * FIELDS + F.DUE];
  }
  batch(j: number): number {
    return this.f[j * FIELDS + F.BATCH];
  }
  thetaSlot(j: number): number {
    return this.f[j * FIELDS + F.THETA];
  }
  loss(j: number): number {
    return this.f[j * FIELDS + F.LOSS];
  }

  /** Master: post job j (its θ already in theta[thetaSlot]); wakes the threads. */
  post(j: number, batch: number, due: number, thetaSlot: number): void {
    const o = j * FIELDS;
    this.f[o + F.DUE] = due;
    this.f[o + F.BATCH] = batch;
    this.f[o + F.THETA] = thetaSlot;
    Atomics.store(this.cells, CELLS + j, JobState.PENDING);
    this.changed();
  }

  /** Master: job j's result was taken; its slot is free. */
  clear(j: number): void {
    Atomics.store(this.cells, CELLS + j, JobState.EMPTY);
  }

  /** Master: a new budget of updates left. */
  setStepsLeft(n: number): void {
    if (Atomics.exchange(this.cells, Cell.STEPS_LEFT, Math.min(n, 2 ** 31 - 1)) !== n) this.changed();
  }

  /** Stops the threads, and ends the master's waits (after a thread failed, a job is never done). */
  close(): void {
    Atomics.store(this.cells, Cell.CLOSE, 1);
    this.changed();
    for (let j = 0; j < this.slots; j++) Atomics.notify(this.cells, CELLS + j);
  }

  /** Wake sleeping threads: something they wait for may have changed. */
  private changed(): void {
    Atomics.add(this.cells, Cell.SEQ, 1);
    if (Atomics.load(this.cells, Cell.SLEEPERS) > 0) Atomics.notify(this.cells, Cell.SEQ);
  }

  /**
   * Thread: the pending job to compute next, claimed, or −1 when none may be computed now: the
   * earliest due (ties by slot) among the pending, unless as many jobs due before it are in flight
   * as updates are left (it would never be applied).
   */
  claim(): number {
    for (;;) {
      let best = -1;
      for (let j = 0; j < this.slots; j++) {
        if (this.state(j) !== JobState.PENDING) continue;
        if (best < 0 || this.due(j) < this.due(best)) best = j;
      }
      if (best < 0) return -1;
      const due = this.due(best);
      let rank = 0;
      for (let j = 0; j < this.slots; j++) {
        if (j !== best && this.state(j) !== JobState.EMPTY && (this.due(j) < due || (this.due(j) === due && j < best))) rank++;
      }
      if (rank >= this.get(Cell.STEPS_LEFT)) return -1;
      if (Atomics.compareExchange(this.cells, CELLS + best, JobState.PENDING, JobState.RUNNING) === JobState.PENDING) return best;
      // Another thread claimed it first: look again.
    }
  }

  /** Thread: job j's gradient, loss and stats are written. */
  finish(j: number, loss: number): void {
    this.f[j * FIELDS + F.LOSS] = loss;
    Atomics.add(this.cells, Cell.COMPUTED, 1);
    Atomics.store(this.cells, CELLS + j, JobState.DONE);
    Atomics.notify(this.cells, CELLS + j);
  }

  /** Thread: resolves once SEQ differs from `seen` (returns at once if it already does). */
  async sleep(seen: number): Promise<void> {
    Atomics.add(this.cells, Cell.SLEEPERS, 1);
    try {
      const w = Atomics.waitAsync(this.cells, Cell.SEQ, seen);
      if (w.async) await w.value;
    } finally {
      Atomics.sub(this.cells, Cell.SLEEPERS, 1);
    }
  }

  /** Master: resolves once job j is done (at once if it is), or the board is closed. */
  async done(j: number): Promise<void> {
    for (;;) {
      const s = this.state(j);
      if (s === JobState.DONE || this.get(Cell.CLOSE) !== 0) return;
      const w = Atomics.waitAsync(this.cells, CELLS + j, s);
      if (w.async) await w.value;
    }
  }
}

/**
 * Compute claimed job j on this thread's oracle into the board's slots and mark it done (a helper
 * and the master alike). `reuse`: the minibatch buffers of this thread's last job; returns them.
 */
export async function computeJob(board: JobBoard, j: number, oracle: GradientOracle, batches: BatchSource, reuse?: Batch): Promise<Batch> {
  const batch = batches.at(board.batch(j), reuse);
  const r = await oracle.gradient(board.theta[board.thetaSlot(j)], batch, board.grad[j]);
  if (r.g !== board.grad[j]) board.grad[j].set(r.g);
  if (r.stats) {
    const kept = board.buffers.statsLength;
    if (r.stats.length !== kept) throw new Error(`the gradient returned ${r.stats.length} statistics, the run keeps ${kept}`);
    board.stats[j].set(r.stats);
  }
  board.finish(j, r.loss);
  return batch;
}
