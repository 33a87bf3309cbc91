import { test } from 'node:test';
import * as aq from 'arquero';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/validate.ts';
import { loadRun } from '../../src/results/runDir.ts';
import { sweep } from '../../src/sweep/sweep.ts';
import { expandGrid, loadGridFile, type SweepGrid } from '../../src/sweep/sweepGrid.ts';

const base = { lr: 0.05, steps: 300, evalEvery: 100, objective: { name: 'quadratic', dim: 5, noise: 0.2 } };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'stalelab-sweep-'));
}

test('grid expansion: Cartesian product in listed order, dotted paths set nested fields', () => {
  const points = expandGrid({ base: { ...base, rule: 'asgd', workers: 1 }, vary: { rule: ['asgd', 'ga'], 'lr': [0.1, 0.2, 0.3] } });
  assert.equal(points.length, 6);
  assert.deepEqual(points.map((p) => p.values), [
    { rule: 'asgd', 'lr': 0.1 }, { rule: 'asgd', 'lr': 0.2 }, { rule: 'asgd', 'lr': 0.3 },
    { rule: 'ga', 'lr': 0.1 }, { rule: 'ga', 'lr': 0.2 }, { rule: 'ga', 'lr': 0.3 },
  ]);
  assert.equal(points[4].input.lr, 0.2);
  assert.equal(base.lr, 0.05, 'the base config is not mutated');
  assert.throws(() => expandGrid({ base: {}, vary: { workers: [1, 1] } }), /grid\.vary\["workers"\]: lists a value twice/);
  assert.throws(() => expandGrid({ base: {}, vary: { workers: [] } }), /grid\.vary\.workers: Too small/);
});

test('sweep: one column per swept field, saves each run, a rerun loads them instead of running', async () => {
  const outDir = tempDir();
  try {
    const grid: SweepGrid = { base: { ...base, rule: 'asgd', workers: 1 }, vary: { rule: ['asgd', 'dana-zero'], workers: [1, 4], seed: [0, 1] } };
    const first = await sweep(grid, { outDir });
    assert.equal(first.status, 'finished');
    assert.equal(first.runs.numRows(), 8);
    for (const col of ['rule', 'workers', 'seed', 'run_id']) {
      assert.ok(first.updates.columnNames().includes(col), `updates has ${col}`);
      assert.ok(first.evals.columnNames().includes(col), `evals has ${col}`);
      assert.ok(first.runs.columnNames().includes(col), `runs has ${col}`);
    }
    assert.equal(first.updates.numRows(), 8 * 300);
    const ids = first.runs.array('run_id') as string[];
    assert.equal(new Set(ids).size, 8);
    assert.match(ids[0], /^rule=asgd_workers=1_seed=0-[0-9a-f]{8}$/);
    assert.deepEqual(readdirSync(outDir).sort(), [...ids].sort());
    assert.ok((first.runs.array('loaded') as boolean[]).every((l) => !l));
    // The swept values reach the runs: N = 4 has staleness, N = 1 has none.
    const n4 = first.updates.filter((d: { workers: number }) => d.workers === 4).array('staleness') as number[];
    assert.ok(n4.some((t) => t > 0));
    assert.ok((first.updates.filter((d: { workers: number }) => d.workers === 1).array('staleness') as number[]).every((t) => t === 0));
    assert.equal(loadRun(join(outDir, ids[3])).record.id, ids[3]);

    const again = await sweep(grid, { outDir });
    assert.ok((again.runs.array('loaded') as boolean[]).every((l) => l), 'all loaded');
    assert.deepEqual(again.runs.array('run_id'), ids);
    assert.deepEqual(again.runs.array('final_test_loss'), first.runs.array('final_test_loss'));
    assert.deepEqual(again.updates.array('loss'), first.updates.array('loss'));

    // A changed base config gets new run ids (the hash of the whole config), so nothing stale is reused.
    const changed = await sweep({ ...grid, base: { ...grid.base, steps: 100 }, vary: { rule: ['asgd'], workers: [1], seed: [0] } }, { outDir });
    assert.equal(changed.runs.array('loaded')[0], false);
    assert.notEqual(changed.runs.array('run_id')[0], ids[0]);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('a diverged run is saved with its status and the sweep goes on', async () => {
  const outDir = tempDir();
  try {
    const result = await sweep({ base: { ...base, rule: 'asgd', workers: 2 }, vary: { 'lr': [0.05, 100, 0.1] } }, { outDir });
    assert.deepEqual(result.runs.array('status'), ['finished', 'diverged', 'finished']);
    const at = result.runs.array('diverged_at_step')[1] as number;
    assert.ok(at > 0 && at < 300);
    const id = result.runs.array('run_id')[1] as string;
    const saved = loadRun(join(outDir, id));
    assert.equal(saved.record.status, 'diverged');
    assert.equal(saved.record.divergedAtStep, at);
    assert.equal(saved.updates.numRows(), at);
    assert.ok(result.runs.columnNames().includes('lr'));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('an aborted sweep keeps the finished runs; the run in flight is not saved', async () => {
  const outDir = tempDir();
  try {
    const controller = new AbortController();
    // Two short runs, then one too long to finish: abort it part-way.
    const grid: SweepGrid = { base: { ...base, rule: 'asgd', workers: 2, logEvery: 100_000 }, vary: { steps: [200, 400, 50_000_000] } };
    let sawThird = false;
    const result = await sweep(grid, {
      outDir,
      control: {
        signal: controller.signal,
        progressIntervalSec: 0,
        onProgress: (p) => {
          if (p.label?.startsWith('[3/3]') && p.step >= 1000) {
            sawThird = true;
            controller.abort();
          }
        },
      },
    });
    assert.ok(sawThird);
    assert.equal(result.status, 'interrupted');
    assert.equal(result.runs.numRows(), 2);
    assert.deepEqual(result.runs.array('steps'), [200, 400]);
    assert.equal(readdirSync(outDir).length, 2, 'only the finished runs are saved');
    const ids = result.runs.array('run_id') as string[];
    assert.ok(ids.every((id) => existsSync(join(outDir, id, 'run.json'))));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('every bad combination is reported before any run starts', async () => {
  const outDir = tempDir();
  try {
    await assert.rejects(
      sweep({ base: { ...base, rule: 'asgd', workers: 2 }, vary: { rule: ['asgd', 'dana'], workers: [2, 0] } }, { outDir }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /run \{"rule":"asgd","workers":0\}: .*config\.workers: Too small/s);
        assert.match(e.message, /run \{"rule":"dana","workers":2\}: .*config\.rule: got "dana"; allowed rule names/s);
        assert.equal(e.message.match(/\n  run /g)?.length, 3, 'three bad combinations of four');
        return true;
      },
    );
    assert.equal(readdirSync(outDir).length, 0);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('JSON grid files', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'grid.json');
    writeFileSync(path, JSON.stringify({ base: { ...base, rule: 'asgd', workers: 1, steps: 20 }, vary: { rule: ['ga', 'sa'], timing: [{ kind: 'round-robin' }, { kind: 'gamma', shape: 2 }] } }));
    const grid = loadGridFile(path);
    const result = await sweep(grid, { outDir: join(dir, 'runs') });
    assert.equal(result.runs.numRows(), 4);
    assert.deepEqual(result.runs.array('timing').slice(0, 2), ['{"kind":"round-robin"}', '{"kind":"gamma","shape":2}']);
    assert.match((result.runs.array('run_id') as string[])[1], /^rule=ga_timing=h[0-9a-f]{6}-[0-9a-f]{8}$/);
    writeFileSync(path, JSON.stringify({ base: {}, vary: {}, outDir: 'x' }));
    assert.throws(() => loadGridFile(path), /grid file .*: unknown field "outDir"/);
    writeFileSync(path, '{ not json');
    assert.throws(() => loadGridFile(path), (e: Error) => e instanceof ConfigError && /grid file .*grid\.json/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a grid that varies the engine runs as written; one worker on either engine gives the same updates', async () => {
  const grid: SweepGrid = { base: { objective: { name: 'quadratic' }, steps: 60, seed: 1, rule: 'asgd', lr: 0.05 }, vary: { engine: ['sim', 'threads'] } };
  const result = await sweep(grid);
  assert.deepEqual(result.runs.array('engine'), ['sim', 'threads']);
  assert.deepEqual(result.runs.array('status'), ['finished', 'finished']);
  const byEngine = (e: string) => result.updates.filter(aq.escape((d: { engine: string }) => d.engine === e));
  assert.deepEqual(byEngine('sim').array('loss'), byEngine('threads').array('loss'));
  assert.deepEqual(byEngine('sim').array('step'), byEngine('threads').array('step'));
  const cols = result.updates.columnNames();
  for (const c of ['sim_time', 'wall_time', 'cas_attempts']) assert.ok(cols.includes(c), `the union of the engines' columns has ${c}`);
  assert.ok((byEngine('sim').array('wall_time') as unknown[]).every((v) => v === null), 'a column one engine lacks is null there');
  assert.deepEqual(result.runs.array('final_test_loss')[0], result.runs.array('final_test_loss')[1]);
});
