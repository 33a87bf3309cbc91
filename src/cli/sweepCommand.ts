import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadGridFile } from '../sweep/sweepGrid.ts';
import { sweep } from '../sweep/sweep.ts';
import { interruptOnSigint } from './interrupt.ts';
import { terminalProgress } from './progressBar.ts';
import type { CommandIo } from './runCommand.ts';

const SHOWN = ['run_id', 'engine', 'status', 'rule', 'workers', 'seed', 'final_test_accuracy', 'final_test_loss', 'staleness_mean', 'loaded'];

/**
 * `stalelab sweep grid.json --out DIR`: every run is saved to DIR/<run id>/ as it finishes (a rerun
 * skips those), then DIR/runs.csv, DIR/updates.csv and DIR/evals.csv hold the concatenated tables.
 */
export async function sweepCommand(gridPath: string, flags: { out: string; progress: boolean }, io: CommandIo): Promise<number> {
  const grid = loadGridFile(gridPath);
  const progress = flags.progress ? terminalProgress(io.err) : undefined;
  const interrupt = interruptOnSigint(io.err);
  let result;
  try {
    result = await sweep(grid, { outDir: flags.out, control: { signal: interrupt.signal, ...(progress ? { onProgress: progress.onProgress } : {}) } });
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(join(flags.out, 'runs.csv'), result.runs.toCSV());
  writeFileSync(join(flags.out, 'updates.csv'), result.updates.toCSV());
  writeFileSync(join(flags.out, 'evals.csv'), result.evals.toCSV());
  const names = result.runs.columnNames();
  const swept = Object.keys(grid.vary).filter((c) => names.includes(c) && !SHOWN.includes(c));
  io.out.write(result.runs.select(...SHOWN.filter((c) => names.includes(c)), ...swept).toMarkdown({ limit: 1000 }) + '\n');
  io.out.write(`sweep ${result.status}: ${result.runs.numRows()} runs; wrote ${flags.out}/runs.csv, updates.csv, evals.csv (each run in ${flags.out}/<run id>/)\n`);
  return result.status === 'interrupted' ? 130 : 0;
}
