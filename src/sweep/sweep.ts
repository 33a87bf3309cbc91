import { join } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ConfigError } from '../config/validate.ts';
import type { GradientOracle } from '../oracle/oracle.ts';
import type { Cell } from '../results/columnLog.ts';
import { isSavedRun, loadRun, saveRun } from '../results/runDir.ts';
import { parseRunConfig, type RunConfig } from '../run/parseRunConfig.ts';
import { problemKey, resolveProblem, type ResolvedProblem } from '../run/problem.ts';
import type { RunControl } from '../run/runControl.ts';
import { runParsed } from '../run/runExperiment.ts';
import type { RunRecord, RunResult } from '../run/runRecord.ts';
import { expandGrid, runIdOf, stableJson, type SweepGrid } from './sweepGrid.ts';

export interface SweepOptions {
  /** Save every finished run to outDir/<runId>/ and skip (load) runs already saved there. */
  outDir?: string;
  control?: RunControl;
  /** Train every run on this oracle (the grid's configs then name no problem; in-process engines only). */
  oracle?: GradientOracle;
}

export interface SweepResult {
  status: 'finished' | 'interrupted';
  /** All runs' update rows, with run_id and one column per swept field (its dotted path). */
  updates: ColumnTable;
  evals: ColumnTable;
  /** One row per run: run_id, swept fields, status, summary figures, loaded (from outDir). */
  runs: ColumnTable;
  records: RunRecord[];
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

/**
 * Run every point of a grid (rules × workers × seeds × engines × any config field), one after
 * another, each on the engine its config names. Each finished (or diverged) run is saved to
 * outDir/<runId>/ as it completes; a rerun loads the runs already saved instead of running them
 * again. Every combination is validated before the first run starts (one ConfigError lists all
 * bad ones). Model problems are resolved once and shared by the runs on them. On
 * `control.signal` the run in flight is dropped (not saved) and the runs finished so far are
 * returned with status "interrupted".
 */
export async function sweep(grid: SweepGrid, opts: SweepOptions = {}): Promise<SweepResult> {
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
  const ids = configs.map((c, k) => runIdOf(points[k].values, c));

  const shared = new Map<string, ResolvedProblem>();
  const initialState = new Map<GradientOracle, Float32Array>();
  const updates: ColumnTable[] = [];
  const evals: ColumnTable[] = [];
  const runRows: Record<string, Cell>[] = [];
  const records: RunRecord[] = [];
  let status: SweepResult['status'] = 'finished';

  /** A problem shared by the runs on one model (or the given oracle); null: the run resolves its own (built-in objectives are cheap and seeded per run). */
  const sharedProblem = async (config: RunConfig): Promise<ResolvedProblem | undefined> => {
    const key = opts.oracle ? 'given' : problemKey(config);
    if (key === null) return undefined;
    let r = shared.get(key);
    if (!r) {
      r = await resolveProblem(config, { oracle: opts.oracle });
      shared.set(key, r);
    }
    // A reused oracle carries the previous run's batch-norm statistics: start from the initial ones.
    const st = r.oracle.state;
    if (!initialState.has(r.oracle)) initialState.set(r.oracle, st.slice());
    else st.set(initialState.get(r.oracle)!);
    return r;
  };

  try {
    for (let k = 0; k < configs.length; k++) {
      if (opts.control?.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      const id = ids[k];
      const dir = opts.outDir ? join(opts.outDir, id) : null;
      let result: RunResult;
      let loaded = false;
      if (dir && isSavedRun(dir)) {
        result = loadRun(dir);
        loaded = true;
      } else {
        const config = { ...configs[k], id } as RunConfig;
        const control: RunControl | undefined = opts.control && {
          ...opts.control,
          onProgress: opts.control.onProgress && ((p) => opts.control!.onProgress!({ ...p, label: `[${k + 1}/${configs.length}] ${id}` })),
        };
        result = await runParsed(config, { control, problem: await sharedProblem(config) });
        if (result.record.status === 'interrupted') {
          status = 'interrupted';
          break;
        }
        if (dir) saveRun(dir, result);
      }
      const swept = Object.fromEntries(Object.entries(points[k].values).map(([f, v]) => [f, sweptCell(v, grid.vary[f])]));
      const tag = { run_id: id, ...swept };
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
      for (const [k, v] of Object.entries(s)) if (!(k in row)) row[k] = cell(v);
      runRows.push(row);
      records.push(rec);
    }
  } finally {
    for (const r of shared.values()) if (r.owned) r.oracle.dispose();
  }
  const head = ['run_id', ...Object.keys(grid.vary), ...SWEEP_RUN_COLUMNS.filter((c) => !(c in grid.vary))];
  return { status, updates: stackTables(updates), evals: stackTables(evals), runs: rowsTable(runRows, head), records };
}
