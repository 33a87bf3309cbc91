import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileError } from '../../src/results/fileError.ts';
import { isSavedRun, loadRun, RUN_EXPORT_FILES, RUN_FILES, type SavedRunRecord, saveRun, verifySavedRun } from '../../src/results/runDir.ts';
import type { RunResult } from '../../src/run/runRecord.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import { mountTmpfs } from './scratchMounts.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-rundir-'));
after(() => rmSync(root, { recursive: true, force: true }));

let result: RunResult;
let n = 0;
/** A fresh copy of one real saved run. */
function saved(): string {
  const dir = join(root, `run${n++}`);
  saveRun(dir, result);
  return dir;
}

/** The DamagedRunWarnings emitted while `fn` runs. */
async function warningsOf(fn: () => void): Promise<string[]> {
  const seen: string[] = [];
  const on = (w: Error) => w.name === 'DamagedRunWarning' && seen.push(w.message);
  process.on('warning', on);
  try {
    fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', on);
  }
  return seen;
}

describe('saved runs are verified before they are trusted', () => {
  before(async () => {
    result = await runExperiment({ objective: 'quadratic', lr: 0.05, steps: 40, workers: 2, evalEvery: 10 });
    assert.equal(result.record.status, 'finished', result.record.message);
  });

  test('saveRun records sha256 and row counts of both tables in run.json; the run verifies and loads back whole', () => {
    const dir = saved();
    const record = JSON.parse(readFileSync(join(dir, RUN_FILES.record), 'utf8')) as SavedRunRecord;
    for (const [file, table] of [[RUN_FILES.updates, result.updates], [RUN_FILES.evals, result.evals]] as const) {
      const bytes = readFileSync(join(dir, file));
      assert.equal(record.checksums?.[file]?.sha256, createHash('sha256').update(bytes).digest('hex'), file);
      assert.equal(record.checksums?.[file]?.rows, table.numRows(), file);
    }
    assert.ok(result.updates.numRows() > 0 && result.evals.numRows() > 0);
    assert.deepEqual(verifySavedRun(dir), { ok: true, verified: true });
    assert.equal(isSavedRun(dir), true);
    const back = loadRun(dir);
    assert.deepEqual(back.record, result.record, 'the record comes back as saved, without the checksums');
    assert.deepEqual(back.updates.array('loss'), result.updates.array('loss'));
    assert.equal(back.evals.numRows(), result.evals.numRows());
    assert.deepEqual(readdirSync(dir).sort(), [RUN_FILES.evals, RUN_FILES.record, RUN_FILES.updates, ...RUN_EXPORT_FILES].sort(), 'no temp files left');
  });

  const damages: [string, (dir: string) => void, string, RegExp][] = [
    ['a truncated updates.csv', (d) => truncateSync(join(d, RUN_FILES.updates), 100), RUN_FILES.updates, /does not match the sha256 that .*run\.json records for it/],
    ['a truncated run.json', (d) => truncateSync(join(d, RUN_FILES.record), 50), RUN_FILES.record, /is not valid JSON \(truncated or damaged/],
    ['a missing evals.csv', (d) => rmSync(join(d, RUN_FILES.evals)), RUN_FILES.evals, /evals\.csv is missing$/],
    ['an edited evals.csv', (d) => writeFileSync(join(d, RUN_FILES.evals), readFileSync(join(d, RUN_FILES.evals), 'utf8').replace(/\d/, '9')), RUN_FILES.evals, /does not match the sha256/],
  ];
  for (const [what, damage, file, reason] of damages) {
    test(`${what}: not trusted (a warning names it, so a sweep reruns it); loadRun throws naming the file`, async () => {
      const dir = saved();
      damage(dir);
      const verdict = verifySavedRun(dir);
      assert.equal(verdict.ok, false);
      assert.ok(!verdict.ok && verdict.file === join(dir, file) && verdict.reason.startsWith(join(dir, file)) && reason.test(verdict.reason), JSON.stringify(verdict));
      const warnings = await warningsOf(() => assert.equal(isSavedRun(dir), false));
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0].includes(join(dir, file)) && warnings[0].endsWith(`the saved run in ${dir} is not trusted and will be run again`), warnings[0]);
      assert.throws(() => loadRun(dir), (e: Error) => e instanceof FileError && e.message.startsWith(`cannot load the run in ${dir}: ${join(dir, file)}`));
    });
  }

  test('row counts alone (no sha256) still catch a dropped row', () => {
    const dir = saved();
    const recordFile = join(dir, RUN_FILES.record);
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as SavedRunRecord;
    const rows = result.updates.numRows();
    record.checksums = { [RUN_FILES.updates]: { rows }, [RUN_FILES.evals]: { rows: result.evals.numRows() } };
    writeFileSync(recordFile, JSON.stringify(record));
    assert.equal(verifySavedRun(dir).ok, true);
    const csv = readFileSync(join(dir, RUN_FILES.updates), 'utf8');
    writeFileSync(join(dir, RUN_FILES.updates), csv.slice(0, csv.lastIndexOf('\n', csv.length - 2) + 1));
    const verdict = verifySavedRun(dir);
    assert.ok(!verdict.ok && verdict.reason === `${join(dir, RUN_FILES.updates)} has ${rows - 1} rows, ${recordFile} records ${rows}`, JSON.stringify(verdict));
  });

  test('an older run.json without checksums is trusted as before, and says it was not verified', async () => {
    const dir = saved();
    const recordFile = join(dir, RUN_FILES.record);
    const { checksums: _, ...old } = JSON.parse(readFileSync(recordFile, 'utf8')) as SavedRunRecord;
    writeFileSync(recordFile, JSON.stringify(old));
    const verdict = verifySavedRun(dir);
    assert.ok(verdict.ok && verdict.verified === false && verdict.note?.includes('has no checksums (saved by an older stalelab)'), JSON.stringify(verdict));
    assert.deepEqual(await warningsOf(() => assert.equal(isSavedRun(dir), true)), []);
    assert.equal(loadRun(dir).updates.numRows(), result.updates.numRows());
  });

  test('a folder with none of the run files is not a saved run, and no warning', async () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    assert.deepEqual(await warningsOf(() => assert.equal(isSavedRun(empty), false)), []);
    assert.deepEqual(await warningsOf(() => assert.equal(isSavedRun(join(root, 'never-made')), false)), []);
  });

  test('saving onto a full disk fails naming the file, and leaves no run.json to trust', (t) => {
    const m = mountTmpfs('16k');
    if ('skip' in m) return t.skip(m.skip);
    try {
      writeFileSync(join(m.dir, 'filler'), Buffer.alloc(16 * 1024));
      const dir = join(m.dir, 'run');
      assert.throws(() => saveRun(dir, result), (e: Error) => e instanceof FileError && e.message === `cannot write ${join(dir, RUN_FILES.updates)}: no space left on device (ENOSPC)`);
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(isSavedRun(dir), false);
    } finally {
      m.unmount();
    }
  });
});
