/**
 * Every table also as Arrow IPC and Parquet: a saved run's .arrow and .parquet hold the same rows
 * as its CSV (read back through flechette and through parquet-wasm's Rust reader), one schema per
 * column whatever the run's length, checksums in run.json that catch a damaged copy, older runs
 * without the copies still load, and the queue carries them to the sweep's machine.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as aq from 'arquero';
import { tableFromIPC, Type } from '@uwdata/flechette';
import { FileError } from '../../src/results/fileError.ts';
import { loadRun, RUN_EXPORT_FILES, RUN_FILES, saveRun, verifySavedRun, type SavedRunRecord } from '../../src/results/runDir.ts';
import { tableFromArrow, tableFromParquet, tableToArrow, tableToParquet, writeTableFiles } from '../../src/results/tableFiles.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { RunResult } from '../../src/run/runRecord.ts';
import { packRunFiles, runFilesOf, unpackRunFiles, writeRunFiles } from '../../src/sweep/queueProtocol.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-tables-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${n++}`);

/** Rows as JSON with NaN and ±Infinity spelled out (JSON.stringify would make them null). */
const rowsOf = (t: aq.ColumnTable) => JSON.stringify(t.objects(), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

const TYPE_NAMES = Object.fromEntries(Object.entries(Type).map(([name, id]) => [id, name]));

/** Column name → Arrow type id (and bit width / precision) of an Arrow IPC file or stream. */
function schemaOf(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(
    tableFromIPC(bytes).schema.fields.map((f) => {
      const t = f.type as { typeId: number; bitWidth?: number; precision?: number };
      return [f.name, `${TYPE_NAMES[t.typeId]}${t.bitWidth ?? ''}${t.precision ?? ''}`];
    }),
  );
}

describe('runs saved with Arrow and Parquet copies of their tables', () => {
  let sim: RunResult;
  let short: RunResult;
  before(async () => {
    sim = await runExperiment({ objective: 'quadratic', lr: 0.05, steps: 300, workers: 4, evalEvery: 50, timing: { kind: 'gamma', shape: 2 }, seed: 3 });
    short = await runExperiment({ objective: 'quadratic', lr: 0.05, steps: 5, workers: 4, evalEvery: 5, seed: 3 });
    assert.equal(sim.record.status, 'finished');
  });

  test('saveRun writes .arrow and .parquet whose rows equal the CSV, with checksums in run.json', () => {
    const dir = fresh();
    saveRun(dir, sim);
    const loaded = loadRun(dir);
    const record = JSON.parse(readFileSync(join(dir, RUN_FILES.record), 'utf8')) as SavedRunRecord;
    for (const [kind, table] of [['updates', loaded.updates], ['evals', loaded.evals]] as const) {
      const arrow = tableFromArrow(readFileSync(join(dir, `${kind}.arrow`)));
      const parquet = tableFromParquet(readFileSync(join(dir, `${kind}.parquet`)));
      assert.deepEqual(arrow.columnNames(), table.columnNames(), `${kind}.arrow columns`);
      assert.equal(rowsOf(arrow), rowsOf(table), `${kind}.arrow rows equal ${kind}.csv`);
      assert.equal(rowsOf(parquet), rowsOf(table), `${kind}.parquet rows equal ${kind}.csv`);
      assert.equal(record.checksums?.[`${kind}.parquet`]?.rows, table.numRows());
    }
    assert.equal(readFileSync(join(dir, 'updates.parquet')).toString('latin1', 0, 4), 'PAR1');
    assert.deepEqual(verifySavedRun(dir), { ok: true, verified: true });
  });

  test('column types come from the data dictionary: the same schema for a 5- and a 300-update run', async () => {
    const long = schemaOf(tableToArrow(sim.updates, 'updates'));
    assert.deepEqual(schemaOf(tableToArrow(short.updates, 'updates')), long, 'inference alone would give step int8 in one and int16 in the other');
    assert.equal(long.step, 'Int64');
    assert.equal(long.staleness, 'Int64');
    assert.equal(long.loss, 'Float2', 'float64');
    assert.equal(long.profile, 'Utf8');
    // parquet-wasm (Rust's arrow-rs) reads back the same schema.
    const pq = tableToParquet(sim.updates, 'updates')!;
    const { readParquet } = (await import('parquet-wasm')) as typeof import('parquet-wasm');
    assert.deepEqual(schemaOf(readParquet(pq).intoIPCStream()), long);
  });

  test('a damaged .parquet or a missing .arrow makes the run untrusted, naming the file; loadRun refuses it', () => {
    for (const [file, damage] of [
      ['updates.parquet', (p: string) => writeFileSync(p, readFileSync(p).subarray(0, 100))],
      ['evals.arrow', (p: string) => rmSync(p)],
    ] as const) {
      const dir = fresh();
      saveRun(dir, sim);
      damage(join(dir, file));
      const verdict = verifySavedRun(dir);
      assert.ok(!verdict.ok && verdict.file === join(dir, file), JSON.stringify(verdict));
      assert.throws(() => loadRun(dir), (e: unknown) => e instanceof FileError && e.message.includes(join(dir, file)));
    }
  });

  test('a run saved before the copies (CSV and run.json only) still verifies and loads', () => {
    const dir = fresh();
    saveRun(dir, sim);
    const recordFile = join(dir, RUN_FILES.record);
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as SavedRunRecord;
    for (const f of RUN_EXPORT_FILES) {
      rmSync(join(dir, f));
      delete record.checksums?.[f];
    }
    writeFileSync(recordFile, JSON.stringify(record));
    assert.deepEqual(verifySavedRun(dir), { ok: true, verified: true });
    assert.equal(loadRun(dir).updates.numRows(), sim.updates.numRows());
  });

  test('the queue carries the copies: a run written from its packed files verifies with them', () => {
    const files = unpackRunFiles(packRunFiles(runFilesOf(sim)));
    assert.deepEqual(Object.keys(files.exports ?? {}).sort(), [...RUN_EXPORT_FILES].sort());
    const dir = fresh();
    writeRunFiles(dir, files);
    assert.deepEqual(verifySavedRun(dir), { ok: true, verified: true });
    assert.equal(rowsOf(tableFromParquet(readFileSync(join(dir, 'evals.parquet')))), rowsOf(loadRun(dir).evals));
  });
});

test('threads tables: booleans stay bool, a null worker (SSGD) is a null int64; a table without columns gets no Parquet', async () => {
  const threads = await runExperiment({ engine: 'threads', sync: 'hogwild', objective: 'quadratic', lr: 0.05, steps: 30, workers: 2, evalEvery: 10 });
  const schema = schemaOf(tableToArrow(threads.updates, 'updates'));
  assert.equal(schema.torn, 'Bool');
  assert.equal(schema.wall_time, 'Float2');
  assert.equal(schema.cas_attempts, 'Int64');
  const ssgd = await runExperiment({ objective: 'quadratic', lr: 0.05, steps: 4, workers: 3, rule: 'ssgd' });
  const back = tableFromParquet(tableToParquet(ssgd.updates, 'updates')!);
  assert.deepEqual(Array.from(back.array('worker') as ArrayLike<unknown>), [null, null, null, null]);
  assert.equal(schemaOf(tableToArrow(ssgd.updates, 'updates')).worker, 'Int64');

  const dir = fresh();
  mkdirSync(dir);
  assert.deepEqual(writeTableFiles(dir, 'empty', aq.table({}), 'runs'), ['empty.csv', 'empty.arrow']);
  assert.equal(tableFromArrow(readFileSync(join(dir, 'empty.arrow'))).numCols(), 0);
});
