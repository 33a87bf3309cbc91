import { meanInterval } from '../plot/meanInterval.ts';

type Row = Record<string, unknown>;

/**
 * One run's accuracy for a claim: the column's value, or `chance` when the run diverged or has no
 * finite value (a diverged run is a result: it learned nothing, rather than leaving the cell).
 */
export function runAccuracy(row: Row, column: string, chance: number): number {
  const v = row[column];
  return row.status !== 'diverged' && typeof v === 'number' && Number.isFinite(v) ? v : chance;
}

/**
 * The per-seed accuracies of one cell of a sweep's runs table (one rule at one worker count), as
 * the claims of notebooks 01/02 and experiments/claimVerdicts.ts compare them.
 */
export function cellAccuracies(rows: readonly Row[], cell: { rule: string; workers: number }, opts: { column?: string; chance: number }): number[] {
  const column = opts.column ?? 'final_test_accuracy';
  return rows.filter((r) => r.rule === cell.rule && r.workers === cell.workers).map((r) => runAccuracy(r, column, opts.chance));
}

/** "91.2% ± 0.4": the mean in percent with its 95 % t half-width over seeds; "(1 seed)" alone, "n/a" empty. */
export function formatMeanInterval(xs: readonly number[]): string {
  if (xs.length === 0) return 'n/a';
  const m = meanInterval(xs);
  const mean = `${(100 * m.mean).toFixed(1)}%`;
  return m.halfWidth === null ? `${mean} (1 seed)` : `${mean} ± ${(100 * m.halfWidth).toFixed(1)}`;
}
