import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { meanInterval } from './meanInterval.ts';
import { requireColumns } from './seedSummary.ts';

export interface TimeToAccuracyOptions {
  /** The accuracy to reach (fraction correct). */
  target: number;
  /** Clock column (default sim_time; wall_time for real threads). */
  time?: string;
  /** Default accuracy. */
  accuracy?: string;
  /** Default rule. */
  rule?: string;
  /** Default workers. */
  workers?: string;
  /** Default seed. */
  seed?: string;
  /** The rule the others are compared with at the same N (default ssgd). */
  baseline?: string;
}

/** Columns of timeToAccuracy's table, after rule, workers and seed. */
export const TIME_TO_ACCURACY_COLUMNS = ['reached', 'step_to_target', 'time_to_target', 'end_time'] as const;

/** Columns of speedupTable's table, after rule and workers. */
export const SPEEDUP_COLUMNS = ['runs', 'reached', 'time_mean', 'time_ci_lower', 'time_ci_upper', 'baseline_time_mean', 'speedup'] as const;

interface Defaults {
  time: string;
  accuracy: string;
  rule: string;
  workers: string;
  seed: string;
  baseline: string;
}

function withDefaults(opts: TimeToAccuracyOptions): Defaults {
  return { time: opts.time ?? 'sim_time', accuracy: opts.accuracy ?? 'accuracy', rule: opts.rule ?? 'rule', workers: opts.workers ?? 'workers', seed: opts.seed ?? 'seed', baseline: opts.baseline ?? 'ssgd' };
}

/**
 * Per run (rule, N, seed) of an evals table: the first evaluation whose test accuracy reached the
 * target (step and time; null when none did) and the run's last evaluation time. The time is that
 * of an evaluation, so it is late by less than one evaluation interval. Rows of other splits are
 * left out when the table has a `split` column.
 */
export function timeToAccuracy(evals: ColumnTable, opts: TimeToAccuracyOptions): ColumnTable {
  const o = withDefaults(opts);
  requireColumns(evals, [o.time, o.accuracy, o.rule, o.workers, o.seed, 'step'], 'timeToAccuracy');
  if (!(opts.target > 0 && opts.target <= 1)) throw new RangeError(`timeToAccuracy: target is an accuracy in (0, 1], got ${opts.target}`);
  const hasSplit = evals.columnNames().includes('split');
  const rows = (evals.objects() as Record<string, unknown>[]).filter((r) => !hasSplit || r.split === 'test');
  const runs = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const key = JSON.stringify([r[o.rule], r[o.workers], r[o.seed]]);
    const list = runs.get(key) ?? [];
    list.push(r);
    runs.set(key, list);
  }
  const out: Record<string, unknown>[] = [];
  for (const list of runs.values()) {
    list.sort((a, b) => (a.step as number) - (b.step as number));
    const hit = list.find((r) => typeof r[o.accuracy] === 'number' && (r[o.accuracy] as number) >= opts.target);
    out.push({
      [o.rule]: list[0][o.rule],
      [o.workers]: list[0][o.workers],
      [o.seed]: list[0][o.seed],
      reached: hit !== undefined,
      step_to_target: hit ? (hit.step as number) : null,
      time_to_target: hit ? (hit[o.time] as number) : null,
      end_time: list[list.length - 1][o.time] as number,
    });
  }
  return aq.from(out);
}

/**
 * Per rule and N: the mean time to the target over the seeds that reached it, its 95 %
 * t-interval, and the speed-up over the baseline rule at the same N (baseline mean ÷ this rule's
 * mean; > 1 is faster). Runs that missed the target are counted in `runs − reached`, not averaged
 * in; a rule or baseline that never reached it has a null time and speed-up.
 */
export function speedupTable(evals: ColumnTable, opts: TimeToAccuracyOptions): ColumnTable {
  const o = withDefaults(opts);
  const perRun = timeToAccuracy(evals, opts).objects() as Record<string, unknown>[];
  const cells = new Map<string, Record<string, unknown>[]>();
  for (const r of perRun) {
    const key = JSON.stringify([r[o.rule], r[o.workers]]);
    const list = cells.get(key) ?? [];
    list.push(r);
    cells.set(key, list);
  }
  const summary = [...cells.values()].map((list) => {
    const times = list.filter((r) => r.reached).map((r) => r.time_to_target as number);
    const iv = times.length ? meanInterval(times) : null;
    return {
      [o.rule]: list[0][o.rule],
      [o.workers]: list[0][o.workers],
      runs: list.length,
      reached: times.length,
      time_mean: iv ? iv.mean : null,
      time_ci_lower: iv ? iv.lower : null,
      time_ci_upper: iv ? iv.upper : null,
    };
  });
  const baselineAt = (n: unknown) => summary.find((s) => s[o.rule] === o.baseline && s[o.workers] === n)?.time_mean ?? null;
  const rows = summary.map((s) => {
    const base = baselineAt(s[o.workers]);
    return { ...s, baseline_time_mean: base, speedup: base !== null && s.time_mean !== null && (s.time_mean as number) > 0 ? base / (s.time_mean as number) : null };
  });
  return aq.from(rows).orderby(o.workers, o.rule);
}
