import { mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import type { RunRecord, RunResult } from '../run/runRecord.ts';

const FILES = { updates: 'updates.csv', evals: 'evals.csv', record: 'run.json' } as const;

/** Write atomically (temp file + rename) so an interrupt never leaves a half-written file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Save a run as updates.csv, evals.csv and run.json; run.json is written last and marks it complete. */
export function saveRun(dir: string, result: RunResult): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, FILES.updates), result.updates.toCSV());
  writeAtomic(join(dir, FILES.evals), result.evals.toCSV());
  writeAtomic(join(dir, FILES.record), JSON.stringify(result.record, null, 2) + '\n');
}

export function isSavedRun(dir: string): boolean {
  return existsSync(join(dir, FILES.record));
}

/** Load a run saved by saveRun: the same tables (CSV types parsed back) and record. */
export function loadRun(dir: string): RunResult {
  const read = (f: string) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`loadRun: ${p} does not exist (is ${dir} a stalelab run directory?)`);
    return readFileSync(p, 'utf8');
  };
  const record = JSON.parse(read(FILES.record)) as RunRecord;
  return {
    updates: aq.fromCSV(read(FILES.updates)),
    evals: aq.fromCSV(read(FILES.evals)),
    record,
  };
}
