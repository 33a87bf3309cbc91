import { ColumnLog } from '../results/columnLog.ts';
import type { ColumnTable } from 'arquero';

/**
 * Per-update rows travel from a worker to the main thread in column batches (one Float64Array per
 * column, transferred, not copied), so logging costs a few stores per update.
 */
/** gap_rmse is NaN where not measured (Leashed-SGD); the main thread turns that into null. */
export const rowColumns = ['step', 'staleness', 'gap_rmse', 'lr', 'scale', 'loss', 'wall_time', 'cas_attempts', 'torn'] as const;
export type RowColumn = (typeof rowColumns)[number];
export type RowBatch = Record<RowColumn, Float64Array>;
/** The first `n` rows of a batch from one thread. */
export interface ThreadRows {
  thread: number;
  n: number;
  rows: RowBatch;
}

export class UpdateRowBuffer {
  private cols: RowBatch;
  private n = 0;

  constructor(private readonly capacity: number, private readonly flush: (rows: RowBatch, n: number) => void) {
    this.cols = this.fresh();
  }

  private fresh(): RowBatch {
    return Object.fromEntries(rowColumns.map((c) => [c, new Float64Array(this.capacity)])) as RowBatch;
  }

  push(row: Record<RowColumn, number>): void {
    for (const c of rowColumns) this.cols[c][this.n] = row[c];
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

/** Columns of the updates table: the simulated engine's schema (wall_time for sim_time) plus thread, scale, cas_attempts, torn. */
export const threadUpdateColumns = [
  'step', 'worker', 'thread', 'staleness', 'gap_rmse', 'lr', 'scale', 'penalty_mean', 'penalty_max',
  'wall_time', 'loss', 'cas_attempts', 'torn',
] as const;

/** Rows from every thread, ordered by step (the version each update produced). */
export function buildUpdates(batches: readonly ThreadRows[]): ColumnTable {
  const order: [number, number][] = [];
  batches.forEach((b, i) => {
    for (let r = 0; r < b.n; r++) order.push([i, r]);
  });
  order.sort((a, b) => batches[a[0]].rows.step[a[1]] - batches[b[0]].rows.step[b[1]]);
  const log = new ColumnLog(threadUpdateColumns);
  for (const [i, r] of order) {
    const { thread, rows } = batches[i];
    const cell = Object.fromEntries(rowColumns.map((c) => [c, rows[c][r]])) as Record<(typeof rowColumns)[number], number>;
    const gap = Number.isNaN(cell.gap_rmse) ? null : cell.gap_rmse;
    // No penalty divisor here: the staleness step size is in lr (= α·s(τ)) and scale (= s(τ)).
    log.push({ ...cell, worker: thread, thread, gap_rmse: gap, penalty_mean: 1, penalty_max: 1, torn: cell.torn === 1 });
  }
  return log.toTable();
}
