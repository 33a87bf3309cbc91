import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { tHalfWidth } from './meanInterval.ts';

export interface SeedSummaryOptions {
  x: string;
  y: string;
  /** Column splitting rows into series; omitted: one series. */
  group?: string;
  /**
   * Column identifying repetitions; each seed counts once per point even if it has several rows
   * there. Omitted: all rows are one repetition (no spread is shown, only the mean per point).
   */
  seed?: string;
  /**
   * Split the x range into this many equal-width bins and summarise per bin. Needed when seeds do
   * not share x values (e.g. simulated time) and to keep per-update curves small.
   */
  bins?: number;
  /** Confidence level of the interval over seeds (default 0.95). */
  level?: number;
}

/** One point of a summarised series. `sd` and `ci` are null with a single seed (no spread to show). */
export interface SeedSummaryRow {
  group: string | number | null;
  x: number;
  mean: number;
  sd: number | null;
  /** Half-width of the Student-t interval of the mean over seeds at `level` (see meanInterval). */
  ci: number | null;
  /** Seeds behind the point (1 without a seed column). */
  n: number;
}

export function requireColumns(table: ColumnTable, columns: readonly (string | undefined)[], where: string): void {
  const names = table.columnNames();
  for (const c of columns) {
    if (c !== undefined && !names.includes(c)) {
      throw new Error(`${where}: the table has no column "${c}"; its columns are ${names.join(', ')}`);
    }
  }
}

/**
 * Mean, sample standard deviation and the 95 % t-interval half-width of y across seeds at each x
 * (or x bin), per group. Rows whose x
 * or y is not a finite number (a diverged run's NaN loss, a missing evaluation) are left out, so a
 * point's `n` says how many seeds are really behind it.
 */
export function summariseOverSeeds(table: ColumnTable, opts: SeedSummaryOptions): SeedSummaryRow[] {
  const { x, y, group, seed, bins } = opts;
  requireColumns(table, [x, y, group, seed], 'summariseOverSeeds');
  if (bins !== undefined && !(Number.isInteger(bins) && bins >= 1)) {
    throw new RangeError(`summariseOverSeeds: bins must be a positive integer, got ${bins}`);
  }
  const finite = table
    .filter(aq.escape((d: Record<string, unknown>) => Number.isFinite(d[x]) && Number.isFinite(d[y])))
    .derive({
      _x: aq.escape((d: Record<string, unknown>) => d[x] as number),
      _y: aq.escape((d: Record<string, unknown>) => d[y] as number),
      _g: aq.escape((d: Record<string, unknown>) => (group === undefined ? null : (d[group] as string | number))),
      _s: aq.escape((d: Record<string, unknown>) => (seed === undefined ? '' : String(d[seed]))),
    });
  if (finite.numRows() === 0) return [];

  let binned = finite.derive({ _b: aq.escape((d: { _x: number }) => d._x) });
  if (bins !== undefined) {
    const xs = finite.array('_x') as ArrayLike<number>;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      lo = Math.min(lo, xs[i]);
      hi = Math.max(hi, xs[i]);
    }
    const width = hi > lo ? (hi - lo) / bins : 1;
    binned = finite.derive({ _b: aq.escape((d: { _x: number }) => Math.min(bins - 1, Math.floor((d._x - lo) / width))) });
  }

  const perSeed = binned.groupby('_g', '_s', '_b').rollup({ _x: aq.op.mean('_x'), _y: aq.op.mean('_y') });
  const perPoint = perSeed
    .groupby('_g', '_b')
    .rollup({ x: aq.op.mean('_x'), mean: aq.op.mean('_y'), sd: aq.op.stdev('_y'), n: aq.op.count() })
    .orderby('_b');
  return perPoint.objects().map((r) => {
    const row = r as { _g: string | number | null; x: number; mean: number; sd: number | undefined | null; n: number };
    const sd = row.n > 1 && Number.isFinite(row.sd) ? (row.sd as number) : null;
    return { group: row._g, x: row.x, mean: row.mean, sd, ci: sd === null ? null : tHalfWidth(sd, row.n, opts.level ?? 0.95), n: row.n };
  });
}

/** Series values in display order: the given order first, then the rest by first appearance in the table. */
export function groupOrder(table: ColumnTable, column: string | undefined, order?: readonly (string | number)[]): (string | number | null)[] {
  if (column === undefined) return [null];
  const seen: (string | number | null)[] = [];
  const values = table.array(column) as ArrayLike<string | number | null>;
  for (let i = 0; i < values.length; i++) if (!seen.includes(values[i])) seen.push(values[i]);
  if (!order) return seen;
  const ordered = order.filter((g) => seen.includes(g));
  return [...ordered, ...seen.filter((g) => g === null || !ordered.includes(g))];
}

/**
 * A stable colour slot per series: its position in `order` when listed there (so a rule keeps
 * its colour in figures that show only some of the rules), else after all listed ones.
 */
export function colourSlots(groups: readonly (string | number | null)[], order?: readonly (string | number)[]): number[] {
  const listed = order ?? [];
  let extra = listed.length;
  return groups.map((g) => (g !== null && listed.includes(g) ? listed.indexOf(g) : extra++));
}
