import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ConfigError } from '../config/validate.ts';
import type { GradientOracle } from '../oracle/oracle.ts';
import type { Cell } from '../results/columnLog.ts';
import { parseRunConfig } from '../run/parseRunConfig.ts';
import type { RunConfig } from '../run/runConfig.ts';
import type { RunControl } from '../run/runControl.ts';
import type { RunRecord, RunResult } from '../run/runRecord.ts';
import type { QueueSettings, QueueSweepSummary } from './queueSettings.ts';
import { expandGrid, runIdOf, stableJson, type SweepGrid, type SweepPoint } from './sweepGrid.ts';

export interface SweepOptions {
  /** Save every finished run to outDir/<runId>/ and skip (load) runs already saved there. */
  outDir?: string;
  control?: RunControl;
  /** Train every run on this oracle (the grid's configs then name no problem; in-process engines only). */
  oracle?: GradientOracle;
  /** Run the grid on workers through a BullMQ queue: a Redis URL, or the URL with queue settings (needs outDir). */
  queue?: string | QueueSettings;
}

export interface SweepResult {
  status: 'finished' | 'interrupted';
  /** All runs' update rows, with run_id and one column per swept field (its dotted path). */
  updates: ColumnTable;
  evals: ColumnTable;
  /** One row per run: run_id, swept fields, status, summary figures, loaded (from outDir). */
  runs: ColumnTable;
  records: RunRecord[];
  /** Queue sweeps only: what the queue did (runs enqueued, retried, failed for good). */
  queue?: QueueSweepSummary;
}

/** The first columns of runs.csv after run_id and the swept fields (keys of every engine's summary); the rest of each run's summary follows. */
export const SWEEP_RUN_COLUMNS = [
  'engine', 'status', 'diverged_at_step', 'loaded', 'rule', 'workers', 'seed', 'updates', 'samples', 'epochs',
  'staleness_mean', 'staleness_max', 'gap_rmse_mean', 'penalty_mean', 'scale_mean', 'final_test_loss', 'final_test_accuracy',
  'final_train_loss', 'final_train_accuracy', 'best_test_accuracy', 'last_test_loss', 'last_test_accuracy',
  'target_reached_step', 'target_reached_time', 'wall_time_sec',
] as const;

function cell(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return stableJson(v);
}

/**
 * A swept value as a table cell: an object with a `name` (a rule with parameters) is shown by its
 * name when the names tell the grid's values apart, anything else as its value or JSON.
 */
function sweptCell(v: unknown, values: readonly unknown[]): Cell {
  const nameOf = (x: unknown) => (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name : null);
  const name = nameOf(v);
  if (name !== null) {
    const names = values.map((x) => nameOf(x) ?? (typeof x === 'string' ? x : null));
    if (names.every((n) => n !== null) && new Set(names).size === values.length) return name;
  }
  return cell(v);
}

/** `t` with constant columns added (columns it already has are left as they are). */
function withColumns(t: ColumnTable, values: Record<string, Cell>): ColumnTable {
  const n = t.numRows();
  const add = Object.fromEntries(Object.entries(values).filter(([k]) => !t.columnNames().includes(k)).map(([k, v]) => [k, new Array<Cell>(n).fill(v)]));
  return Object.keys(add).length ? t.assign(aq.table(add)) : t;
}

/** Rows as a table with `head` first, then every other key in first-seen order; null where a row lacks one. */
function rowsTable(rows: readonly Record<string, Cell>[], head: readonly string[]): ColumnTable {
  const names = [...head];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  return aq.table(Object.fromEntries(names.map((c) => [c, rows.map((r) => r[c] ?? null)])));
}

/** Tables of runs on different engines stacked: the union of their columns, null where a run has none. */
export function stackTables(tables: readonly ColumnTable[]): ColumnTable {
  if (tables.length === 0) return aq.table({});
  const names: string[] = [];
  for (const t of tables) for (const c of t.columnNames()) if (!names.includes(c)) names.push(c);
  const filled = tables.map((t) => withColumns(t, Object.fromEntries(names.map((c) => [c, null]))).select(names));
  return filled[0].concat(...filled.slice(1));
}

/** A grid's runs validated up front: its points, their configs and run ids, in grid order. */
export interface PreparedSweep {
  grid: SweepGrid;
  points: SweepPoint[];
  configs: RunConfig[];
  /** Run ids (readable swept values + hash of the validated config): DIR/<id>/ and the queue's job ids. */
  ids: string[];
}

/** Expand and validate every combination of a grid; one ConfigError lists all bad ones. */
export async function prepareSweep(grid: SweepGrid): Promise<PreparedSweep> {
  const points = expandGrid(grid);
  const configs: RunConfig[] = [];
  const problems: string[] = [];
  for (const p of points) {
    try {
      configs.push(await parseRunConfig(p.input));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`run ${stableJson(p.values)}: ${e.message.replace(/\n/g, '\n    ')}`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid sweep grid:\n  ${problems.join('\n  ')}`);
  return { grid, points, configs, ids: configs.map((c, k) => runIdOf(points[k].values, c)) };
}

/** Entry k's config as it runs: the validated config with its run id. */
export function entryConfig(prepared: PreparedSweep, k: number): RunConfig {
  return { ...prepared.configs[k], id: prepared.ids[k] } as RunConfig;
}

/**
 * The sweep's tables built from finished runs, one entry at a time (in any order; the tables list
 * them in grid order): every way of running a grid (here, a queue, an array job) gives the same rows.
 */
export class SweepTables {
  private readonly entries = new Map<number, { result: RunResult; loaded: boolean }>();

  constructor(private readonly prepared: PreparedSweep) {}

  add(k: number, result: RunResult, loaded: boolean): void {
    this.entries.set(k, { result, loaded });
  }

  get size(): number {
    return this.entries.size;
  }

  result(status: SweepResult['status']): SweepResult {
    const { grid, points, ids } = this.prepared;
    const updates: ColumnTable[] = [];
    const evals: ColumnTable[] = [];
    const runRows: Record<string, Cell>[] = [];
    const records: RunRecord[] = [];
    for (const k of [...this.entries.keys()].sort((a, b) => a - b)) {
      const { result, loaded } = this.entries.get(k)!;
      const swept = Object.fromEntries(Object.entries(points[k].values).map(([f, v]) => [f, sweptCell(v, grid.vary[f])]));
      const tag = { run_id: ids[k], ...swept };
      updates.push(withColumns(result.updates, tag));
      evals.push(withColumns(result.evals, tag));
      const rec = result.record;
      const s = rec.summary ?? {};
      const row: Record<string, Cell> = {
        ...tag,
        engine: rec.engine,
        status: rec.status,
        diverged_at_step: rec.divergedAtStep ?? null,
        loaded,
        wall_time_sec: rec.wallTimeSec,
        seed: rec.seed,
      };
      for (const c of SWEEP_RUN_COLUMNS) if (!(c in row)) row[c] = cell(s[c]);
      // Then every other summary figure, so engines' own (torn reads, gradient passes…) are there too.
      for (const [key, v] of Object.entries(s)) if (!(key in row)) row[key] = cell(v);
      runRows.push(row);
      records.push(rec);
    }
    const head = ['run_id', ...Object.keys(grid.vary), ...SWEEP_RUN_COLUMNS.filter((c) => !(c in grid.vary))];
    return { status, updates: stackTables(updates), evals: stackTables(evals), runs: rowsTable(runRows, head), records };
  }
}

