import { join } from 'node:path';
import { ConfigError } from '../config/validate.ts';
import { isSavedRun, loadRun, saveRun } from '../results/runDir.ts';
import type { RunControl } from '../run/runControl.ts';
import { runParsed } from '../run/runExperiment.ts';
import type { RunResult } from '../run/runRecord.ts';
import { ProblemPool } from './problemPool.ts';
import type { SweepGrid } from './sweepGrid.ts';
import { entryConfig, prepareSweep, SweepTables, type SweepOptions, type SweepResult } from './sweepTables.ts';

export { SWEEP_RUN_COLUMNS, stackTables, prepareSweep, entryConfig, SweepTables, type SweepOptions, type SweepResult, type PreparedSweep } from './sweepTables.ts';

/**
 * Run every point of a grid (rules × workers × seeds × engines × any config field), one after
 * another, each on the engine its config names. Each finished (or diverged) run is saved to
 * outDir/<runId>/ as it completes; a rerun loads the runs already saved instead of running them
 * again. Every combination is validated before the first run starts (one ConfigError lists all
 * bad ones). Model problems are resolved once and shared by the runs on them. On
 * `control.signal` the run in flight is dropped (not saved) and the runs finished so far are
 * returned with status "interrupted". With `queue` the runs go to a BullMQ queue on Redis and
 * workers on any machines run them (see queueSweep).
 */
export async function sweep(grid: SweepGrid, opts: SweepOptions = {}): Promise<SweepResult> {
  if (opts.queue !== undefined) {
    const { queueSweep } = await import('./queueSweep.ts');
    return queueSweep(grid, opts);
  }
  const prepared = await prepareSweep(grid);
  const { configs, ids } = prepared;
  const tables = new SweepTables(prepared);
  const problems = new ProblemPool(opts.oracle);
  let status: SweepResult['status'] = 'finished';
  try {
    for (let k = 0; k < configs.length; k++) {
      if (opts.control?.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      const id = ids[k];
      const dir = opts.outDir ? join(opts.outDir, id) : null;
      if (dir && isSavedRun(dir)) {
        tables.add(k, loadRun(dir), true);
        continue;
      }
      const config = entryConfig(prepared, k);
      const control: RunControl | undefined = opts.control && {
        ...opts.control,
        onProgress: opts.control.onProgress && ((p) => opts.control!.onProgress!({ ...p, label: `[${k + 1}/${configs.length}] ${id}` })),
      };
      const lent = await problems.acquire(config);
      let result: RunResult;
      try {
        result = await runParsed(config, { control, problem: lent });
      } finally {
        problems.release(lent);
      }
      if (result.record.status === 'interrupted') {
        status = 'interrupted';
        break;
      }
      if (dir) saveRun(dir, result);
      tables.add(k, result, false);
    }
  } finally {
    problems.dispose();
  }
  return tables.result(status);
}
