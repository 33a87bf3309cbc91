import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileError } from '../../src/results/fileError.ts';
import { loadRecordedSweep, RECORDED_FILES } from '../../src/results/recordedSweep.ts';
import { sourceRevision } from '../../src/run/provenance.ts';
import { sweep, type SweepResult } from '../../src/sweep/sweep.ts';
import type { SweepGrid } from '../../src/sweep/sweepGrid.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'stalelab-recorded-'));
after(() => rmSync(root, { recursive: true, force: true }));

const grid: SweepGrid = {
  base: { objective: 'quadratic', steps: 40, lr: 0.05, evalEvery: 10, timing: { kind: 'gamma', shape: 4 } },
  vary: { rule: ['asgd', 'sa'], workers: [1, 4], seed: [0, 1] },
};

const record = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'experiments', 'recordSweep.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('recordSweep.ts and loadRecordedSweep', () => {
  const sweepDir = join(root, 'sweep');
  const gridPath = join(root, 'grid.json');
  const outDir = join(root, 'recorded');
  let live: SweepResult;
  let deletedId: string;
  let renamedId: string;

  before(async () => {
    writeFileSync(gridPath, JSON.stringify(grid));
    live = await sweep(grid, { outDir: sweepDir });
    const ids = live.runs.array('run_id') as string[];
    // One run not saved yet (a partial sweep), one saved by a checkout whose configs hash differently.
    deletedId = ids[5];
    renamedId = ids[2];
    rmSync(join(sweepDir, deletedId), { recursive: true });
    renameSync(join(sweepDir, renamedId), join(sweepDir, renamedId.replace(/-[0-9a-f]{8}$/, '-00000000')));
  });

  test('records every saved run with the columns and figures of sweep().runs, and lists the missing one', () => {
    const run = record(sweepDir, gridPath, outDir);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /recorded 7 of 8 runs \(7 finished\)/);
    assert.deepEqual(readdirSync(outDir).sort(), Object.values(RECORDED_FILES).sort(), 'no temp file left behind');

    const rec = loadRecordedSweep(outDir);
    assert.deepEqual(rec.runs.columnNames(), live.runs.columnNames());
    const liveRows = live.runs.objects() as Record<string, unknown>[];
    const recRows = rec.runs.objects() as Record<string, unknown>[];
    assert.deepEqual(recRows.map((r) => r.run_id), liveRows.map((r) => r.run_id).filter((id) => id !== deletedId));
    for (const r of recRows) {
      const l = liveRows.find((x) => x.run_id === r.run_id)!;
      for (const c of ['rule', 'workers', 'seed', 'status', 'updates', 'staleness_mean', 'final_test_loss']) assert.equal(r[c], l[c], `${r.run_id}: ${c}`);
    }
    assert.equal(rec.evals.numRows(), (live.evals.array('run_id') as string[]).filter((id) => id !== deletedId).length);

    assert.equal(rec.meta.runs, 7);
    assert.equal(rec.meta.expected, 8);
    assert.deepEqual(rec.meta.missingRuns.map((m) => m.runId), [deletedId]);
    assert.deepEqual(rec.meta.statuses, { finished: 7 });
    assert.equal(rec.meta.notes.length, 1);
    assert.match(rec.meta.notes[0], /^1 runs matched by their swept values/);
    const walls = live.records.filter((r) => r.id !== deletedId).map((r) => r.wallTimeSec);
    assert.ok(Math.abs(rec.meta.wallTimeSec.total - walls.reduce((a, b) => a + b, 0)) < 1e-9);
    assert.equal(rec.meta.machine.loadavg.length, 3);
    assert.equal(rec.meta.commit, sourceRevision()?.commit ?? null, 'the commit the runs ran from');
    assert.deepEqual(rec.grid, grid);
    assert.match(rec.label, /^recorded \((commit [0-9a-f]{7}( \+ uncommitted changes)?|commit unknown), \d{4}-\d\d-\d\d, not rerun\)$/);
  });

  test('the staleness histogram counts every update of the recorded runs, per rule and N', () => {
    const rec = loadRecordedSweep(outDir);
    const counts = rec.stalenessHistogram.objects() as { rule: string; workers: number; staleness: number; count: number }[];
    const recorded = (live.updates.objects() as { run_id: string; rule: string; workers: number }[]).filter((u) => u.run_id !== deletedId);
    for (const rule of grid.vary.rule as string[]) {
      for (const n of grid.vary.workers as number[]) {
        const cell = counts.filter((c) => c.rule === rule && c.workers === n);
        assert.equal(cell.reduce((s, c) => s + c.count, 0), recorded.filter((u) => u.rule === rule && u.workers === n).length, `${rule} N=${n}`);
        if (n === 1) assert.deepEqual(cell.map((c) => c.staleness), [0]);
        else assert.ok(Math.max(...cell.map((c) => c.staleness)) > 0);
      }
    }
  });

  test('a directory that is not a recorded sweep is a FileError naming the missing file; bad arguments exit 2', () => {
    assert.throws(() => loadRecordedSweep(join(root, 'nowhere')), (e: Error) => e instanceof FileError && /nowhere\/meta\.json is missing/.test(e.message));
    const damaged = join(root, 'damaged');
    const copy = record(sweepDir, gridPath, damaged);
    assert.equal(copy.status, 0, copy.stderr);
    writeFileSync(join(damaged, RECORDED_FILES.runs), readFileSync(join(damaged, RECORDED_FILES.runs), 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    assert.throws(() => loadRecordedSweep(damaged), /runs\.csv has 2 runs, .*meta\.json records 7/);
    assert.equal(record(sweepDir).status, 2);
    const empty = record(join(root, 'nowhere'), gridPath, join(root, 'out2'));
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /recordSweep: .*nowhere: no such sweep directory/);
  });
});
