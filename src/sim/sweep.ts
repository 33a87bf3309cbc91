import { join } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ConfigError } from '../config/validate.ts';
import type { GradientOracle } from '../oracle/oracle.ts';
import { ColumnLog, type Cell } from '../results/columnLog.ts';
import type { RunControl } from '../results/runControl.ts';
import type { RunRecord, RunResult } from '../results/runResult.ts';
import { isSavedRun, loadRun, saveRun } from '../results/runDir.ts';
import { oracleKey, resolveOracle, type ResolvedOracle } from './resolveOracle.ts';
import { parseSimConfig, runWithOracle, userRuleParamKeys } from './runExperiment.ts';
import type { SimConfig } from './simConfig.ts';
import { expandGrid, runIdOf, stableJson, type SweepGrid } from './sweepGrid.ts';

export interface SweepOptions {
  /** Save every finished run to outDir/<runId>/ and skip (load) runs already saved there. */
  outDir?: string;
  control?: RunControl;
  /** Train every run on this oracle (the grid's configs then name no problem). */
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

const RUN_COLUMNS = [
  'status', 'diverged_at_step', 'loaded', 'rule', 'workers', 'seed', 'updates', 'samples', 'epochs', 'sim_time',
  'mean_staleness', 'max_staleness', 'mean_gap_rmse', 'mean_penalty', 'final_test_loss', 'final_test_accuracy',
  'final_train_loss', 'final_train_accuracy', 'last_test_loss', 'last_test_accuracy', 'wall_time_sec',
] as const;

function cell(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return stableJson(v);
}

/** `t` with constant columns added (columns it already has are left as they are). */
function withColumns(t: ColumnTable, values: Record<string, Cell>): ColumnTable {
  const n = t.numRows();
  const add = Object.fromEntries(Object.entries(values).filter(([k]) => !t.columnNames().includes(k)).map(([k, v]) => [k, new Array<Cell>(n).fill(v)]));
  return Object.keys(add).length ? t.assign(aq.table(add)) : t;
}

/**
 * Run every point of a grid (rules × workers × seeds × any config field), one after another.
 * Each finished (or diverged) run is saved to outDir/<runId>/ as it completes; a rerun loads the
 * runs already saved instead of running them again. Every combination is validated before the
 * first run starts (one ConfigError lists all bad ones). On `control.signal` the run in flight is
 * dropped (not saved) and the runs finished so far are returned with status "interrupted".
 */
export async function sweep(grid: SweepGrid, opts: SweepOptions = {}): Promise<SweepResult> {
  const points = expandGrid(grid);
  const configs: SimConfig[] = [];
  const problems: string[] = [];
  for (const p of points) {
    try {
      configs.push(await parseSimConfig(p.input));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`run ${stableJson(p.values)}: ${e.message.replace(/\n/g, '\n    ')}`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid sweep grid:\n  ${problems.join('\n  ')}`);
  const ids = configs.map((c, k) => runIdOf(points[k].values, c));

  const oracles = new Map<string, ResolvedOracle>();
  const initialState = new Map<GradientOracle, Float32Array>();
  const updates: ColumnTable[] = [];
  const evals: ColumnTable[] = [];
  const runs = new ColumnLog(['run_id', ...Object.keys(grid.vary), ...RUN_COLUMNS.filter((c) => !(c in grid.vary))]);
  const records: RunRecord[] = [];
  let status: SweepResult['status'] = 'finished';

  /** A shared oracle for model runs (and a given oracle); a fresh one for named objectives (cheap, seeded per run). */
  const oracleFor = async (config: SimConfig): Promise<ResolvedOracle> => {
    const key = opts.oracle ? 'given' : oracleKey(config);
    if (key === null) return resolveOracle(config);
    let r = oracles.get(key);
    if (!r) {
      r = await resolveOracle(config, opts.oracle);
      oracles.set(key, r);
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
        const config = { ...configs[k], id };
        const resolved = await oracleFor(config);
        const control: RunControl | undefined = opts.control && {
          ...opts.control,
          onProgress: opts.control.onProgress && ((p) => opts.control!.onProgress!({ ...p, label: `[${k + 1}/${configs.length}] ${id}` })),
        };
        try {
          result = await runWithOracle(config, userRuleParamKeys(points[k].input), resolved, control);
        } finally {
          if (!opts.oracle && oracleKey(config) === null) resolved.oracle.dispose();
        }
        if (result.record.status === 'interrupted') {
          status = 'interrupted';
          break;
        }
        if (dir) saveRun(dir, result);
      }
      const swept = Object.fromEntries(Object.entries(points[k].values).map(([f, v]) => [f, cell(v)]));
      const tag = { run_id: id, ...swept };
      updates.push(withColumns(result.updates, tag));
      evals.push(withColumns(result.evals, tag));
      const rec = result.record;
      const s = rec.summary ?? {};
      const row: Record<string, Cell> = {
        ...tag,
        status: rec.status,
        diverged_at_step: rec.divergedAtStep ?? null,
        loaded,
        wall_time_sec: rec.wallTimeSec,
        seed: rec.seed,
      };
      for (const c of RUN_COLUMNS) if (!(c in row)) row[c] = cell(s[c]);
      runs.push(row);
      records.push(rec);
    }
  } finally {
    for (const r of oracles.values()) if (r.owned) r.oracle.dispose();
  }
  const concat = (ts: ColumnTable[]) => (ts.length ? ts[0].concat(...ts.slice(1)) : aq.table({}));
  return { status, updates: concat(updates), evals: concat(evals), runs: runs.toTable(), records };
}
