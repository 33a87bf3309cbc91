import { UpdateLog } from '../../run/updateLog.ts';

/**
 * Per-update rows travel from a worker to the main thread in column batches (one Float64Array per
 * column, transferred, not copied), so logging costs a few stores per update.
 */
export const ROW_COLUMNS = ['step', 'staleness', 'gap_rmse', 'lr', 'scale', 'penalty_mean', 'penalty_max', 'loss', 'wall_time', 'cas_attempts', 'torn'] as const;
export type RowColumn = (typeof ROW_COLUMNS)[number];
export type RowBatch = Record<RowColumn, Float64Array>;
/** The first `n` rows of a batch from one thread. */
export interface ThreadRows {
  thread: number;
  n: number;
  rows: RowBatch;
}

export class ThreadRowBuffer {
  private cols: RowBatch;
  private n = 0;

  constructor(private readonly capacity: number, private readonly flush: (rows: RowBatch, n: number) => void) {
    this.cols = this.fresh();
  }

  private fresh(): RowBatch {
    return Object.fromEntries(ROW_COLUMNS.map((c) => [c, new Float64Array(this.capacity)])) as RowBatch;
  }

  push(row: Record<RowColumn, number>): void {
    for (const c of ROW_COLUMNS) this.cols[c][this.n] = row[c];
    if (++this.n === this.capacity) this.drain();
  }

  /** Hand the rows so far to `flush` and start a new batch. */
  drain(): void {
    if (this.n === 0) return;
    const rows = this.cols;
    const n = this.n;
    this.cols = this.fresh();
    this.n = 0;
    this.flush(rows, n);
  }
}

/** The engine's own columns of the updates table (after the common ones). */
export const THREAD_UPDATE_EXTRAS = ['wall_time', 'cas_attempts', 'torn'] as const;

/**
 * The run's updates table from every thread's rows, in step order (the version each update
 * produced), and Σ lr over every applied update (for the constant-gradient invariant).
 */
export function threadUpdates(batches: readonly ThreadRows[], opts: { every: number; batchSize: number; trainSize: number; profile: string }): { log: UpdateLog<(typeof THREAD_UPDATE_EXTRAS)[number]>; sumLr: number } {
  const order: [number, number][] = [];
  batches.forEach((b, i) => {
    for (let r = 0; r < b.n; r++) order.push([i, r]);
  });
  order.sort((a, b) => batches[a[0]].rows.step[a[1]] - batches[b[0]].rows.step[b[1]]);
  const log = new UpdateLog(THREAD_UPDATE_EXTRAS, opts.every, opts.trainSize, opts.profile);
  let sumLr = 0;
  for (const [i, r] of order) {
    const { thread, rows } = batches[i];
    sumLr += rows.lr[r];
    log.record(
      {
        step: rows.step[r],
        worker: thread,
        staleness: rows.staleness[r],
        gapRmse: rows.gap_rmse[r],
        lr: rows.lr[r],
        scale: rows.scale[r],
        penaltyMean: rows.penalty_mean[r],
        penaltyMax: rows.penalty_max[r],
        loss: rows.loss[r],
        samples: rows.step[r] * opts.batchSize,
      },
      { wall_time: rows.wall_time[r], cas_attempts: rows.cas_attempts[r], torn: rows.torn[r] === 1 },
    );
  }
  log.flush();
  return { log, sumLr };
}
