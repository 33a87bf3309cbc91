import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { ensureDir } from '../results/outputDir.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeAtomic } from '../results/atomicWrite.ts';
import { RUN_EXPORT_FILES, RUN_FILES, saveRun } from '../results/runDir.ts';
import type { RunResult, RunStatus } from '../run/runRecord.ts';

/** What the sweep and its workers agree on: the queue, the jobs' data and how a run's files come back. */

/** The BullMQ queue a sweep and its workers use unless told another name. */
export const DEFAULT_QUEUE_NAME = 'stalelab';
export const RUN_JOB_NAME = 'run';

/** A job: one run of a grid. The job id is the run id (readable swept values + a hash of the whole validated config). */
export interface RunJobData {
  runId: string;
  /** The validated config with its run id; a worker validates it again (a validated config parses to itself). */
  config: Record<string, unknown>;
  /** Set when DIR is on a filesystem every worker sees: the worker saves DIR/<run id>/ itself. */
  sharedDir?: string;
}

/**
 * What a job returns: only where the run's files are. The files themselves are kept out of the job
 * (BullMQ also copies a return value into its event stream, thousands of events long).
 */
export type RunJobReturn =
  | { delivery: 'redis'; key: string; bytes: number; status: RunStatus }
  | { delivery: 'shared'; dir: string; status: RunStatus };

/** The Redis key holding a finished run's files until the sweep has written them to DIR. */
export function resultKey(queueName: string, runId: string): string {
  return `stalelab:${queueName}:result:${runId}`;
}

/** The bytes of a saved run's files, as saveRun writes them (tables, then run.json with their checksums). */
export interface RunFiles {
  updates: string;
  evals: string;
  record: string;
  /** The tables' .arrow and .parquet copies (RUN_EXPORT_FILES), base64, by file name. */
  exports?: Record<string, string>;
}

/** A folder for a moment's files: in memory where Linux offers it (saveRun's fsyncs then cost nothing), else the temp folder. */
function scratchFolder(): string {
  try {
    return mkdtempSync(join('/dev/shm', 'stalelab-run-'));
  } catch {
    return mkdtempSync(join(tmpdir(), 'stalelab-run-'));
  }
}

/** A run's files exactly as saveRun writes them (saved to a scratch folder and read back), to send to another machine. */
export function runFilesOf(result: RunResult): RunFiles {
  const tmp = scratchFolder();
  try {
    saveRun(tmp, result);
    const read = (f: string) => readFileSync(join(tmp, f), 'utf8');
    const exports = Object.fromEntries(RUN_EXPORT_FILES.filter((f) => existsSync(join(tmp, f))).map((f) => [f, readFileSync(join(tmp, f)).toString('base64')]));
    return { updates: read(RUN_FILES.updates), evals: read(RUN_FILES.evals), record: read(RUN_FILES.record), exports };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Write a run's files into dir as saveRun would: each atomically, run.json (which marks the run complete) last. */
export function writeRunFiles(dir: string, files: RunFiles): void {
  ensureDir(dir);
  writeAtomic(join(dir, RUN_FILES.updates), files.updates);
  writeAtomic(join(dir, RUN_FILES.evals), files.evals);
  for (const f of RUN_EXPORT_FILES) if (files.exports?.[f] !== undefined) writeAtomic(join(dir, f), Buffer.from(files.exports[f], 'base64'));
  writeAtomic(join(dir, RUN_FILES.record), files.record, { syncDir: true });
}

/** A run's files as one gzipped buffer (CSV compresses about tenfold; Redis holds it in memory until collected). */
export function packRunFiles(files: RunFiles): Buffer {
  return gzipSync(JSON.stringify(files));
}

export function unpackRunFiles(buf: Buffer): RunFiles {
  const files = JSON.parse(gunzipSync(buf).toString('utf8')) as RunFiles;
  for (const k of ['updates', 'evals', 'record'] as const) {
    if (typeof files[k] !== 'string') throw new Error(`a run's files from the queue lack ${k}`);
  }
  return files;
}
