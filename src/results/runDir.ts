import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import type { RunRecord, RunResult } from '../run/runRecord.ts';
import { writeAtomic } from './atomicWrite.ts';
import { describeFsError, FileError } from './fileError.ts';
import { ensureDir } from './outputDir.ts';
import { tableFileBytes } from './tableFiles.ts';

export const RUN_FILES = { updates: 'updates.csv', evals: 'evals.csv', record: 'run.json' } as const;
const TABLES = [RUN_FILES.updates, RUN_FILES.evals] as const;
type TableFile = (typeof TABLES)[number];
/**
 * The files beside the CSV tables and run.json, which run.json records checksums of too: the tables
 * again as Arrow IPC and Parquet (for pandas, polars, R, DuckDB), and the final θ as theta.bin (D
 * raw little-endian float32 values; its checksum's `rows` is D), e.g. numpy.fromfile(path, '<f4').
 */
export const RUN_EXPORT_FILES = ['updates.arrow', 'updates.parquet', 'evals.arrow', 'evals.parquet', 'theta.bin'] as const;
export const THETA_FILE = 'theta.bin' satisfies (typeof RUN_EXPORT_FILES)[number];
type ExportFile = (typeof RUN_EXPORT_FILES)[number];

/** What run.json says about one table, to tell a saved table from a damaged one. */
export interface TableChecksum {
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
  /** Data rows (the header not counted). */
  readonly rows: number;
}
export type RunChecksums = Record<TableFile, TableChecksum> & Partial<Record<ExportFile, TableChecksum>>;
/** run.json as saved: the record plus the checksums of its tables (absent in runs saved before them). */
export type SavedRunRecord = RunRecord & { checksums?: Partial<Record<TableFile | ExportFile, Partial<TableChecksum>>> };

/** Whether a saved run can be trusted; `verified` false means an older run.json without checksums, trusted as before. */
export type RunVerdict = { ok: true; verified: boolean; note?: string } | { ok: false; file: string; reason: string };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** θ as little-endian float32 bytes, whatever this machine's byte order. */
function thetaBytes(theta: Float32Array): Uint8Array {
  const bytes = new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength).slice();
  if (endianness() === 'BE') for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytes;
}

function thetaOf(bytes: Uint8Array): Float32Array {
  const copy = Uint8Array.from(bytes);
  if (endianness() === 'BE') for (let i = 0; i < copy.length; i += 4) copy.subarray(i, i + 4).reverse();
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}

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
 * Save a run as updates.csv, evals.csv and run.json, each written atomically (writeAtomic), with
 * both tables also as .arrow and .parquet, and the final θ as theta.bin (RUN_EXPORT_FILES).
 * run.json is written last, with the sha256 and row count of both tables, and the folder is
 * fsynced after it: a run.json whose checksums match its tables marks a complete run. Returns
 * the names of the files written, in that order.
 */
export function saveRun(dir: string, result: RunResult): string[] {
  ensureDir(dir);
  const checksums = {} as RunChecksums;
  for (const [kind, table] of [
    ['updates', result.updates],
    ['evals', result.evals],
  ] as const) {
    // NAME.csv, then the same table as NAME.arrow and NAME.parquet.
    for (const [file, bytes] of tableFileBytes(kind, table, kind)) {
      writeAtomic(join(dir, file), bytes);
      checksums[file as TableFile | ExportFile] = { sha256: sha256(bytes), rows: table.numRows() };
    }
  }
  if (result.theta) {
    const bytes = thetaBytes(result.theta);
    writeAtomic(join(dir, THETA_FILE), bytes);
    checksums[THETA_FILE] = { sha256: sha256(bytes), rows: result.theta.length };
  }
  const saved: SavedRunRecord = { ...result.record, checksums };
  writeAtomic(join(dir, RUN_FILES.record), JSON.stringify(saved, null, 2) + '\n', { syncDir: true });
  return [...Object.keys(checksums), RUN_FILES.record];
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
 * counts match what run.json says (and the sha256 of their .arrow/.parquet copies). A run.json without checksums (saved by an older stalelab) is
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
  // The Arrow and Parquet copies are checked where run.json records them (runs saved before them have none).
  for (const file of RUN_EXPORT_FILES) {
    const want = record.checksums?.[file]?.sha256;
    if (want === undefined) continue;
    const path = join(dir, file);
    const bytes = readIfFile(path);
    if (!Buffer.isBuffer(bytes)) return { ok: false, file: path, reason: bytes.missing };
    if (sha256(bytes) !== want) return { ok: false, file: path, reason: `${path} does not match the sha256 that ${recordPath} records for it (truncated or changed after saving)` };
    const floats = record.checksums?.[file]?.rows;
    if (file === THETA_FILE && floats !== undefined && bytes.length !== 4 * floats) return { ok: false, file: path, reason: `${path} has ${bytes.length} bytes, ${recordPath} records ${floats} float32 values (${4 * floats} bytes)` };
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

/** Load a run saved by saveRun: the same tables (CSV types parsed back), record and final θ (where saved). A damaged run is a FileError naming the file. */
export function loadRun(dir: string): RunResult {
  const verdict = verifySavedRun(dir);
  if (!verdict.ok) throw new FileError(verdict.file, `cannot load the run in ${dir}: ${verdict.reason}`);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const { checksums, ...record } = JSON.parse(read(RUN_FILES.record)) as SavedRunRecord;
  // θ of runs saved before theta.bin (no checksum recorded) is not there to load.
  const theta = checksums?.[THETA_FILE]?.sha256 !== undefined ? thetaOf(readFileSync(join(dir, THETA_FILE))) : undefined;
  return {
    updates: aq.fromCSV(read(RUN_FILES.updates)),
    evals: aq.fromCSV(read(RUN_FILES.evals)),
    record,
    ...(theta ? { theta } : {}),
  };
}
