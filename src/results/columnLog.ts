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

  toTable(): ColumnTable {
    return aq.table(this.data);
  }
}
