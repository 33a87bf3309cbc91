import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import type { RunRecord, RunResult } from '../run/runRecord.ts';
import { writeAtomic } from './atomicWrite.ts';
import { describeFsError, FileError } from './fileError.ts';
import { ensureDir } from './outputDir.ts';

export const RUN_FILES = { updates: 'updates.csv', evals: 'evals.csv', record: 'run.json' } as const;
const TABLES = [RUN_FILES.updates, RUN_FILES.evals] as const;
type TableFile = (typeof TABLES)[number];

/** What run.json says about one table, to tell a saved table from a damaged one. */
export interface TableChecksum {
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
  /** Data rows (the header not counted). */
  readonly rows: number;
}
export type RunChecksums = Record<TableFile, TableChecksum>;
/** run.json as saved: the record plus the checksums of its tables (absent in runs saved before them). */
export type SavedRunRecord = RunRecord & { checksums?: Partial<Record<TableFile, Partial<TableChecksum>>> };

/** Whether a saved run can be trusted; `verified` false means an older run.json without checksums, trusted as before. */
export type RunVerdict = { ok: true; verified: boolean; note?: string } | { ok: false; file: string; reason: string };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Rows of a CSV as arquero writes it: newlines outside quotes, less the header. */
function csvRows(bytes: Uint8Array): number {
  let lines = 0;
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x22) quoted = !quoted;
    else if (bytes[i] === 0x0a && !quoted) lines++;
  }
  if (bytes.length && bytes[bytes.length - 1] !== 0x0a) lines++;
  return Math.max(0, lines - 1);
}

/**
 * Save a run as updates.csv, evals.csv and run.json, each written atomically (writeAtomic).
 * run.json is written last, with the sha256 and row count of both tables, and the folder is
 * fsynced after it: a run.json whose checksums match its tables marks a complete run.
 */
export function saveRun(dir: string, result: RunResult): void {
  ensureDir(dir);
  const checksums = {} as Record<TableFile, TableChecksum>;
  for (const [file, table] of [
    [RUN_FILES.updates, result.updates],
    [RUN_FILES.evals, result.evals],
  ] as const) {
    const bytes = Buffer.from(table.toCSV(), 'utf8');
    writeAtomic(join(dir, file), bytes);
    checksums[file] = { sha256: sha256(bytes), rows: table.numRows() };
  }
  const saved: SavedRunRecord = { ...result.record, checksums };
  writeAtomic(join(dir, RUN_FILES.record), JSON.stringify(saved, null, 2) + '\n', { syncDir: true });
}

function readIfFile(path: string): Buffer | { missing: string } {
  try {
    if (!statSync(path).isFile()) return { missing: `${path} is not a file` };
    return readFileSync(path);
  } catch (e) {
    return { missing: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${path} is missing` : `cannot read ${path}: ${describeFsError(e)}` };
  }
}

/**
 * Check a saved run: run.json parses as a record, both tables exist, and their sha256 and row
 * counts match what run.json says. A run.json without checksums (saved by an older stalelab) is
 * checked on whatever it has, and otherwise trusted as before (`verified: false`, with a note).
 */
export function verifySavedRun(dir: string): RunVerdict {
  const recordPath = join(dir, RUN_FILES.record);
  const text = readIfFile(recordPath);
  if (!Buffer.isBuffer(text)) return { ok: false, file: recordPath, reason: `${text.missing} (the run was not saved completely)` };
  let record: SavedRunRecord;
  try {
    record = JSON.parse(text.toString('utf8')) as SavedRunRecord;
  } catch (e) {
    return { ok: false, file: recordPath, reason: `${recordPath} is not valid JSON (truncated or damaged: ${(e as Error).message})` };
  }
  if (typeof record !== 'object' || record === null || typeof record.status !== 'string' || typeof record.config !== 'object') {
    return { ok: false, file: recordPath, reason: `${recordPath} is not a stalelab run record (no status or config)` };
  }
  for (const file of TABLES) {
    const path = join(dir, file);
    const bytes = readIfFile(path);
    if (!Buffer.isBuffer(bytes)) return { ok: false, file: path, reason: bytes.missing };
    const want = record.checksums?.[file];
    if (want?.sha256 !== undefined && sha256(bytes) !== want.sha256) {
      return { ok: false, file: path, reason: `${path} does not match the sha256 that ${recordPath} records for it (truncated or changed after saving)` };
    }
    const rows = want?.rows === undefined ? undefined : csvRows(bytes);
    if (rows !== undefined && rows !== want?.rows) return { ok: false, file: path, reason: `${path} has ${rows} rows, ${recordPath} records ${want?.rows}` };
  }
  if (!record.checksums) return { ok: true, verified: false, note: `${recordPath} has no checksums (saved by an older stalelab): its tables were not verified` };
  return { ok: true, verified: true };
}

/**
 * Whether `dir` holds a saved run that can be trusted (verifySavedRun). A damaged one (a
 * truncated table or run.json, a missing file) is not, and a DamagedRunWarning names it and why,
 * so a sweep runs it again. A folder with none of the run's files is simply not a saved run.
 */
export function isSavedRun(dir: string): boolean {
  const verdict = verifySavedRun(dir);
  if (verdict.ok) return true;
  const started = Object.values(RUN_FILES).some((f) => existsSync(join(dir, f)));
  if (started) process.emitWarning(`${verdict.reason}: the saved run in ${dir} is not trusted and will be run again`, 'DamagedRunWarning');
  return false;
}

/** Load a run saved by saveRun: the same tables (CSV types parsed back) and record. A damaged run is a FileError naming the file. */
export function loadRun(dir: string): RunResult {
  const verdict = verifySavedRun(dir);
  if (!verdict.ok) throw new FileError(verdict.file, `cannot load the run in ${dir}: ${verdict.reason}`);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const { checksums: _checksums, ...record } = JSON.parse(read(RUN_FILES.record)) as SavedRunRecord;
  return {
    updates: aq.fromCSV(read(RUN_FILES.updates)),
    evals: aq.fromCSV(read(RUN_FILES.evals)),
    record,
  };
}
