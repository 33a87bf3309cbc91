import { meanInterval } from '../plot/meanInterval.ts';
import { compareForClaim, formatDifference, type ClaimComparison, type Verdict } from './claimVerdict.ts';

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

/** A claim judged from two cells of a runs table: what notebooks 01/02 tabulate and print. */
export interface CellJudgement {
  claim: string;
  /** The larger N of the two cells. */
  workers: number;
  a: string;
  b: string;
  mean_a: number;
  mean_b: number;
  difference: number;
  lower: number | null;
  upper: number | null;
  margin: number;
  seeds: number;
  verdict: Verdict;
  /** The per-seed accuracies behind it. */
  xa: number[];
  xb: number[];
  comparison: ClaimComparison;
}

/** Cell a against cell b with `compareForClaim` (a − b against `margin`); null when a cell has no runs. */
export function judgeCells(
  rows: readonly Row[],
  claim: string,
  a: { rule: string; workers: number },
  b: { rule: string; workers: number },
  opts: { chance: number; column?: string; margin?: number },
): CellJudgement | null {
  const xa = cellAccuracies(rows, a, opts);
  const xb = cellAccuracies(rows, b, opts);
  if (xa.length === 0 || xb.length === 0) return null;
  const margin = opts.margin ?? 0;
  const c = compareForClaim(xa, xb, { margin });
  return {
    claim, workers: Math.max(a.workers, b.workers), a: `${a.rule} N=${a.workers}`, b: `${b.rule} N=${b.workers}`, mean_a: c.meanA, mean_b: c.meanB,
    difference: c.difference, lower: c.lower, upper: c.upper, margin, seeds: Math.min(c.nA, c.nB), verdict: c.verdict, xa, xb, comparison: c,
  };
}

/**
 * One rule at one N under the authors' protocol against the contrast protocol, as a Markdown list
 * item: both means with their intervals, the difference and what it says.
 */
export function protocolContrastLine(rule: string, authors: readonly number[], contrast: readonly number[]): string {
  if (!authors.length || !contrast.length) return `- ${rule}: n/a`;
  const c = compareForClaim(authors, contrast);
  const word = c.verdict === 'reproduced' ? "higher under the authors' protocol" : c.verdict === 'not reproduced' ? "lower under the authors' protocol" : 'no difference beyond noise';
  return `- ${rule}: authors ${formatMeanInterval(authors)}, contrast ${formatMeanInterval(contrast)}; authors − contrast ${formatDifference(c)}: ${word}`;
}
