import { join } from 'node:path';
import { ConfigError } from '../config/validate.ts';
import { isSavedRun, loadRun, saveRun } from '../results/runDir.ts';
import type { RunControl } from '../run/runControl.ts';
import { runParsed } from '../run/runExperiment.ts';
import type { RunStatus } from '../run/runRecord.ts';
import { entryConfig, prepareSweep, SweepTables, type SweepResult } from './sweepTables.ts';
import type { SweepGrid } from './sweepGrid.ts';

/**
 * A grid run by index, one entry per task of a cluster's job array (Slurm `--array`, a Kubernetes
 * Indexed Job), every task writing DIR/<run id>/ on a shared filesystem; then one collect step
 * assembles the tables. The entries are the grid's runs in the order a local sweep runs them.
 */

export interface GridEntry {
  index: number;
  runId: string;
  /** The swept fields' values of this run. */
  values: Record<string, unknown>;
}

export async function listGrid(grid: SweepGrid): Promise<GridEntry[]> {
  const { points, ids } = await prepareSweep(grid);
  return ids.map((runId, index) => ({ index, runId, values: points[index].values }));
}

export interface EntryOutcome {
  entry: GridEntry;
  /** "skipped": DIR/<run id>/ held the finished run already (a task run twice does no work twice). */
  status: RunStatus | 'skipped';
  dir: string;
  wallTimeSec?: number;
}

/**
 * Run entry `index` of the grid and save it to outDir/<run id>/, unless it is there already. Every
 * entry is validated first, so each task of an array reports a bad grid the same way. An
 * interrupted run (Ctrl-C, or the scheduler's SIGTERM at the time limit) is not saved.
 */
export async function runGridEntry(grid: SweepGrid, index: number, outDir: string, control?: RunControl): Promise<EntryOutcome> {
  const prepared = await prepareSweep(grid);
  const n = prepared.ids.length;
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new ConfigError(`--index: got ${index}; the grid has ${n} runs, indices 0 to ${n - 1} (a job array of --array=0-${n - 1})`);
  }
  const entry = { index, runId: prepared.ids[index], values: prepared.points[index].values };
  const dir = join(outDir, entry.runId);
  if (isSavedRun(dir)) return { entry, status: 'skipped', dir };
  const result = await runParsed(entryConfig(prepared, index), { control });
  if (result.record.status !== 'interrupted') saveRun(dir, result);
  return { entry, status: result.record.status, dir, wallTimeSec: result.record.wallTimeSec };
}

/** The sweep's tables from the runs in outDir (all loaded), and the entries not there yet. */
export async function collectGrid(grid: SweepGrid, outDir: string): Promise<SweepResult & { missing: GridEntry[] }> {
  const prepared = await prepareSweep(grid);
  const tables = new SweepTables(prepared);
  const missing: GridEntry[] = [];
  prepared.ids.forEach((runId, index) => {
    const dir = join(outDir, runId);
    if (isSavedRun(dir)) tables.add(index, loadRun(dir), true);
    else missing.push({ index, runId, values: prepared.points[index].values });
  });
  return { ...tables.result(missing.length ? 'interrupted' : 'finished'), missing };
}
