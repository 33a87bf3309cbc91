import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ConfigError } from '../config/validate.ts';

export interface MatchedStalenessOptions {
  /** Columns that identify a cell of the measured runs besides `workers` (e.g. rule, sync); seeds are averaged. */
  cell: readonly string[];
  /** Of those, the ones the simulator's runs share (e.g. rule): a sim cell is (match…, workers). */
  match: readonly string[];
  /** The result compared, e.g. final_test_accuracy. */
  metric: string;
  /** The metric a diverged run counts as (e.g. 0.1, chance on ten classes): dropping it would flatter the rule. */
  diverged: number;
}

/** One cell's runs averaged over seeds. */
export interface StalenessCell {
  key: Record<string, unknown>;
  workers: number;
  tau: number;
  metric: number;
  runs: number;
  divergedRuns: number;
}

/**
 * Runs grouped by `keys` and `workers`, averaged over the rest (seeds): mean τ and the mean metric,
 * a diverged run counting as `opts.diverged`.
 */
export function stalenessCells(runs: ColumnTable, keys: readonly string[], opts: Pick<MatchedStalenessOptions, 'metric' | 'diverged'>, table = 'runs'): StalenessCell[] {
  for (const c of [...keys, 'workers', 'status', 'staleness_mean', opts.metric]) {
    if (!runs.columnNames().includes(c)) throw new ConfigError(`${table}: has no column "${c}" (columns: ${runs.columnNames().join(', ')})`);
  }
  const cells = new Map<string, StalenessCell & { tauSum: number; metricSum: number }>();
  for (const r of runs.objects() as Record<string, unknown>[]) {
    const key = Object.fromEntries(keys.map((k) => [k, r[k]]));
    const id = JSON.stringify([key, r.workers]);
    let c = cells.get(id);
    if (!c) cells.set(id, (c = { key, workers: Number(r.workers), tau: 0, metric: 0, runs: 0, divergedRuns: 0, tauSum: 0, metricSum: 0 }));
    const diverged = r.status === 'diverged';
    const raw = r[opts.metric];
    const value = diverged ? opts.diverged : raw === null || raw === undefined ? NaN : Number(raw);
    if (Number.isNaN(value) || (!diverged && !Number.isFinite(value))) throw new ConfigError(`${table}: run ${String(r.run_id ?? id)} has status "${String(r.status)}" and no ${opts.metric}`);
    c.runs++;
    c.divergedRuns += diverged ? 1 : 0;
    c.metricSum += value;
    // A diverged run's τ up to the stop still measures the schedule.
    c.tauSum += Number(r.staleness_mean);
  }
  return [...cells.values()].map((c) => ({ key: c.key, workers: c.workers, tau: c.tauSum / c.runs, metric: c.metricSum / c.runs, runs: c.runs, divergedRuns: c.divergedRuns }));
}

/**
 * Each measured cell (e.g. a rule under one sync mode and thread count, averaged over seeds) beside
 * the simulator's result at the same mean staleness: the sim cells of the same `match` keys are
 * ordered by their measured mean τ and the metric is interpolated linearly between the two that
 * bracket the cell's mean τ. Outside the simulated range the nearest cell is used and
 * `sim_extrapolated` says so.
 */
export function atMatchedStaleness(measured: ColumnTable, sim: ColumnTable, opts: MatchedStalenessOptions): ColumnTable {
  for (const m of opts.match) if (!opts.cell.includes(m)) throw new ConfigError(`match: "${m}" is not one of cell (${opts.cell.join(', ')})`);
  const simCells = stalenessCells(sim, opts.match, opts, 'sim runs');
  const rows = stalenessCells(measured, opts.cell, opts, 'measured runs').map((c) => {
    const same = simCells.filter((s) => opts.match.every((k) => s.key[k] === c.key[k])).sort((a, b) => a.tau - b.tau);
    if (same.length === 0) throw new ConfigError(`sim runs: none with ${opts.match.map((k) => `${k} = ${String(c.key[k])}`).join(', ')}`);
    const hi = same.findIndex((s) => s.tau >= c.tau);
    let simMetric: number;
    let extrapolated = false;
    let lower = same[0];
    let upper = same[same.length - 1];
    if (hi === 0 || hi === -1) {
      extrapolated = hi === -1 ? c.tau > upper.tau : c.tau < lower.tau;
      lower = upper = hi === 0 ? same[0] : same[same.length - 1];
      simMetric = lower.metric;
    } else {
      lower = same[hi - 1];
      upper = same[hi];
      const w = upper.tau === lower.tau ? 0 : (c.tau - lower.tau) / (upper.tau - lower.tau);
      simMetric = lower.metric + w * (upper.metric - lower.metric);
    }
    return {
      ...c.key,
      workers: c.workers,
      runs: c.runs,
      diverged_runs: c.divergedRuns,
      staleness_mean: c.tau,
      [opts.metric]: c.metric,
      sim_workers_below: lower.workers,
      sim_workers_above: upper.workers,
      sim_staleness_below: lower.tau,
      sim_staleness_above: upper.tau,
      [`sim_${opts.metric}`]: simMetric,
      sim_extrapolated: extrapolated,
      difference: c.metric - simMetric,
    };
  });
  return aq.from(rows);
}
