/**
 * Per-update rows travel from a worker to the main thread in column batches (one Float64Array per
 * column, transferred, not copied), so logging costs a few stores per update.
 */
/** gap_rmse is NaN where not measured (Leashed-SGD); the main thread turns that into null. */
export const rowColumns = ['step', 'staleness', 'gap_rmse', 'lr', 'scale', 'loss', 'wall_time', 'cas_attempts', 'torn'] as const;
export type RowColumn = (typeof rowColumns)[number];
export type RowBatch = Record<RowColumn, Float64Array>;

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
