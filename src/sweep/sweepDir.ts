import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { describeFsError, FileError } from '../results/fileError.ts';
import { prepareOutputDir } from '../results/outputDir.ts';

/** The sweep's own table of runs in its --out (beside updates.csv and evals.csv). */
export const SWEEP_RUNS_TABLE = 'runs.csv';

/** Run ids listed in DIR/runs.csv; null when there is none. A damaged one is an error naming it. */
function savedRunIds(dir: string): string[] | null {
  const path = join(dir, SWEEP_RUNS_TABLE);
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileError(path, `cannot read ${path}: ${describeFsError(e)}`, (e as NodeJS.ErrnoException).code);
  }
  try {
    const t = aq.fromCSV(text, { autoType: false });
    if (!t.columnNames().includes('run_id')) throw new Error('it has no run_id column');
    return (t.array('run_id') as string[]).map(String);
  } catch (e) {
    throw new FileError(path, `${path} is not a sweep's runs table (${(e as Error).message}); pass --overwrite to replace it, or choose another --out`);
  }
}

/**
 * Check a sweep's --out before the first run: it is created and proved writable (a probe file,
 * as for a single run), and, unless `overwrite`, a runs.csv already there must list only runs of
 * this grid. A sweep resumes into its own directory, and a grown grid (more seeds) keeps every old
 * row, but another grid's sweep would replace the tables with its own rows.
 */
export function checkSweepOutput(dir: string, ids: readonly string[], opts: { overwrite?: boolean } = {}): string {
  const path = prepareOutputDir(dir, { overwrite: true, flag: '--out' });
  if (opts.overwrite) return path;
  const saved = savedRunIds(path);
  if (saved === null) return path;
  const ours = new Set(ids);
  const foreign = saved.filter((id) => !ours.has(id));
  if (foreign.length) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, … (${foreign.length} in all)` : '');
    throw new FileError(
      join(path, SWEEP_RUNS_TABLE),
      `--out ${JSON.stringify(dir)}: its ${SWEEP_RUNS_TABLE} lists ${foreign.length} of ${saved.length} runs this grid does not have (${shown}), so it holds another sweep; pass --overwrite to replace its tables (the saved run folders stay), or choose another --out`,
    );
  }
  return path;
}
