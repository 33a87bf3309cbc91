import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

export type Cell = number | string | boolean | null;

/**
 * Collects rows column by column (one typed array or list per column) and turns them into an
 * immutable arquero table at the end. Columns are fixed up front so every row has every column.
 */
export class ColumnLog<C extends string = string> {
  private readonly data: Record<string, Cell[]> = {};
  private n = 0;

  constructor(readonly columns: readonly C[]) {
    for (const c of columns) this.data[c] = [];
  }

  push(row: Record<C, Cell>): void {
    for (const c of this.columns) {
      const v = row[c];
      if (v === undefined) throw new Error(`ColumnLog: row is missing column "${c}"`);
      this.data[c].push(v);
    }
    this.n++;
  }

  get length(): number {
    return this.n;
  }

  /** A copy of the rows so far, column by column (for a checkpoint). */
  snapshot(): Record<string, Cell[]> {
    return Object.fromEntries(this.columns.map((c) => [c, this.data[c].slice()]));
  }

  /** Start from saved rows (a fresh log with the same columns: resuming a run). */
  restore(rows: Record<string, Cell[]>): void {
    const lengths = new Set(this.columns.map((c) => (Array.isArray(rows[c]) ? rows[c].length : -1)));
    if (this.n !== 0 || lengths.size !== 1 || lengths.has(-1)) throw new Error(`ColumnLog.restore: expected rows for columns ${this.columns.join(', ')} into an empty log`);
    for (const c of this.columns) this.data[c] = rows[c].slice();
    this.n = rows[this.columns[0]].length;
  }

  toTable(): ColumnTable {
    return aq.table(this.data);
  }
}
