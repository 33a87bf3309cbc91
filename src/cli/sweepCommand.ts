import { ConfigError } from '../config/validate.ts';
import { writeTableFiles } from '../results/tableFiles.ts';
import { collectGrid, listGrid, runGridEntry } from '../sweep/indexRunner.ts';
import { stableJson, loadGridFile, type SweepGrid } from '../sweep/sweepGrid.ts';
import { prepareSweep, sweep, type SweepResult } from '../sweep/sweep.ts';
import { checkSweepOutput } from '../sweep/sweepDir.ts';
import { interruptOnSignals } from './interrupt.ts';
import { ensureDir } from '../results/outputDir.ts';
import { terminalProgress } from './progressBar.ts';
import { queueProgress } from './queueProgress.ts';
import type { CommandIo } from './runCommand.ts';

const SHOWN = ['run_id', 'engine', 'status', 'rule', 'workers', 'seed', 'final_test_accuracy', 'final_test_loss', 'staleness_mean', 'loaded'];

export interface SweepFlags {
  out?: string;
  progress: boolean;
  queue?: string;
  queueName?: string;
  sharedDir?: boolean;
  attempts?: number;
  backoff?: number;
  index?: number;
  list?: boolean;
  collect?: string;
  overwrite?: boolean;
}

/** DIR/runs.csv, updates.csv and evals.csv: the concatenated tables of a sweep (each also as .arrow and .parquet). */
function writeTables(dir: string, grid: SweepGrid, result: SweepResult, io: CommandIo): void {
  writeTableFiles(dir, 'runs', result.runs, 'runs');
  writeTableFiles(dir, 'updates', result.updates, 'updates');
  writeTableFiles(dir, 'evals', result.evals, 'evals');
  const names = result.runs.columnNames();
  const swept = Object.keys(grid.vary).filter((c) => names.includes(c) && !SHOWN.includes(c));
  if (result.runs.numRows() > 0) io.out.write(result.runs.select(...SHOWN.filter((c) => names.includes(c)), ...swept).toMarkdown({ limit: 1000 }) + '\n');
}

function checkModes(flags: SweepFlags): 'local' | 'queue' | 'index' | 'list' | 'collect' {
  const modes = [
    flags.queue !== undefined && '--queue',
    flags.index !== undefined && '--index',
    flags.list && '--list',
    flags.collect !== undefined && '--collect',
  ].filter((m): m is string => Boolean(m));
  if (modes.length > 1) throw new ConfigError(`sweep: ${modes.join(' and ')} cannot be combined; give one of --queue, --index, --list, --collect (or none: run the grid here)`);
  const mode = modes[0] === '--queue' ? 'queue' : modes[0] === '--index' ? 'index' : modes[0] === '--list' ? 'list' : modes[0] === '--collect' ? 'collect' : 'local';
  if ((mode === 'list' || mode === 'collect') && flags.out !== undefined) throw new ConfigError(`sweep: --out is not used with ${modes[0]}${mode === 'collect' ? ' (--collect DIR names the directory)' : ''}`);
  if ((mode === 'local' || mode === 'queue' || mode === 'index') && flags.out === undefined) throw new ConfigError('sweep: --out <dir> is required (one sub-directory per run, plus runs.csv, updates.csv, evals.csv)');
  if (mode !== 'queue') {
    for (const [flag, given] of [['--queue-name', flags.queueName], ['--shared-dir', flags.sharedDir], ['--attempts', flags.attempts], ['--backoff', flags.backoff]] as const) {
      if (given !== undefined) throw new ConfigError(`sweep: ${flag} is only for a queue sweep (--queue redis://HOST:PORT)`);
    }
  }
  return mode;
}

/**
 * `stalelab sweep grid.json --out DIR`: every run is saved to DIR/<run id>/ as it finishes (a rerun
 * skips those), then DIR/runs.csv, DIR/updates.csv and DIR/evals.csv hold the concatenated tables.
 * With --queue the runs go to workers through Redis; --index, --list and --collect run a grid as a
 * cluster's job array.
 */
export async function sweepCommand(gridPath: string, flags: SweepFlags, io: CommandIo): Promise<number> {
  const mode = checkModes(flags);
  const grid = loadGridFile(gridPath);
  if (mode === 'list') return listCommand(gridPath, grid, io);
  if (mode === 'collect') return collectCommand(grid, flags.collect!, io);
  if (mode === 'index') {
    ensureDir(flags.out!, { flag: '--out' });
    return indexCommand(grid, flags.index!, flags.out!, flags.progress, io);
  }

  const out = flags.out!;
  // An unusable --out, or one holding another grid's sweep, fails before the first run (a sweep resumes into its own).
  checkSweepOutput(out, (await prepareSweep(grid)).ids, { overwrite: flags.overwrite });
  const interrupt = interruptOnSignals(io.err);
  let result: SweepResult;
  try {
    result = mode === 'queue' ? await queueRun(grid, out, flags, interrupt.signal, io) : await localRun(grid, out, flags, interrupt.signal, io);
    writeTables(out, grid, result, io);
  } finally {
    // Kept until the tables are written, so a second signal during the write is not the default death.
    interrupt.dispose();
  }
  io.out.write(`sweep ${result.status}: ${result.runs.numRows()} runs; wrote ${out}/runs.csv, updates.csv, evals.csv (each run in ${out}/<run id>/)\n`);
  const q = result.queue;
  if (q) {
    io.out.write(`queue: enqueued ${q.enqueued}, ${q.attached} already queued, ${q.retried} retried, ${q.failed.length} failed\n`);
    for (const f of q.failed) io.out.write(`failed: run ${f.index} ${f.runId} after ${f.attempts} attempts: ${f.error}\n`);
  }
  if (result.status === 'interrupted') return interrupt.exitCode ?? 130;
  return q && q.failed.length > 0 ? 1 : 0;
}

async function localRun(grid: SweepGrid, out: string, flags: SweepFlags, signal: AbortSignal, io: CommandIo): Promise<SweepResult> {
  const progress = flags.progress ? terminalProgress(io.err) : undefined;
  try {
    return await sweep(grid, { outDir: out, control: { signal, ...(progress ? { onProgress: progress.onProgress } : {}) } });
  } finally {
    progress?.stop();
  }
}

async function queueRun(grid: SweepGrid, out: string, flags: SweepFlags, signal: AbortSignal, io: CommandIo): Promise<SweepResult> {
  const progress = flags.progress ? queueProgress(io.err) : undefined;
  signal.addEventListener('abort', () => io.err.write('queue: stopped following; the runs stay queued and the workers go on: rerun this command to collect them\n'), { once: true });
  try {
    return await sweep(grid, {
      outDir: out,
      control: { signal },
      queue: {
        url: flags.queue!,
        ...(flags.queueName !== undefined ? { name: flags.queueName } : {}),
        ...(flags.sharedDir ? { sharedDir: true } : {}),
        ...(flags.attempts !== undefined ? { attempts: flags.attempts } : {}),
        ...(flags.backoff !== undefined ? { backoffMs: flags.backoff * 1000 } : {}),
        ...(progress ? { onStatus: progress.onStatus } : {}),
      },
    });
  } finally {
    progress?.stop();
  }
}

async function listCommand(gridPath: string, grid: SweepGrid, io: CommandIo): Promise<number> {
  const entries = await listGrid(grid);
  io.out.write(`${entries.length} runs in ${gridPath} (indices 0 to ${entries.length - 1}: --array=0-${entries.length - 1})\n`);
  for (const e of entries) io.out.write(`${e.index}\t${e.runId}\t${stableJson(e.values)}\n`);
  return 0;
}

async function indexCommand(grid: SweepGrid, index: number, out: string, showProgress: boolean, io: CommandIo): Promise<number> {
  const progress = showProgress ? terminalProgress(io.err) : undefined;
  const interrupt = interruptOnSignals(io.err);
  let outcome;
  try {
    outcome = await runGridEntry(grid, index, out, { signal: interrupt.signal, ...(progress ? { onProgress: progress.onProgress } : {}) });
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
  const { entry, status, dir } = outcome;
  if (status === 'skipped') {
    io.out.write(`run ${entry.index} ${entry.runId}: already finished in ${dir} (skipped)\n`);
    return 0;
  }
  if (status === 'interrupted') {
    io.out.write(`run ${entry.index} ${entry.runId}: interrupted, not saved (the entry runs again when resubmitted)\n`);
    return interrupt.exitCode ?? 130;
  }
  io.out.write(`run ${entry.index} ${entry.runId}: ${status} in ${outcome.wallTimeSec!.toFixed(1)} s; saved ${dir}\n`);
  return status === 'failed' ? 1 : 0;
}

async function collectCommand(grid: SweepGrid, dir: string, io: CommandIo): Promise<number> {
  const result = await collectGrid(grid, dir);
  writeTables(dir, grid, result, io);
  io.out.write(`collected ${result.runs.numRows()} of ${result.runs.numRows() + result.missing.length} runs; wrote ${dir}/runs.csv, updates.csv, evals.csv\n`);
  if (result.missing.length === 0) return 0;
  const indices = result.missing.map((m) => m.index).join(',');
  io.err.write(`stalelab: ${result.missing.length} runs are not in ${dir} yet: indices ${indices} (run them with --index, e.g. sbatch --array=${indices})\n`);
  return 1;
}
