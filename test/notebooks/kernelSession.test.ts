/**
 * A person at Jupyter: cells re-run on their own (a fixture, then a real notebook run top to
 * bottom and every code cell again, last first), and the interrupt button pressed while a run is
 * in flight, in a real tslab kernel (test/notebooks/kernelSession.py drives it through
 * jupyter_client; the interrupt is KernelManager.interrupt_kernel, the SIGINT Jupyter sends).
 * Needs Debian's Jupyter like notebooks.test.ts; skipped only where nbclient is missing.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { ensureDistBuilt } from './distBuild.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = process.env.STALELAB_PYTHON ?? '/usr/bin/python3';
const hasJupyter = spawnSync(PYTHON, ['-c', 'import nbclient, jupyter_client'], { stdio: 'ignore' }).status === 0;
const required = process.env.STALELAB_REQUIRE_JUPYTER === '1';
const skip = hasJupyter || required ? false : `${PYTHON} cannot import nbclient/jupyter_client: run bash scripts/setup-jupyter.sh`;

interface Execution {
  id: string;
  status: 'ok' | 'error';
  stdout: string;
  stderr: string;
  html: string[];
  markdown: string[];
  interrupted: boolean;
}

const LIBRARY = 'window.Plotly = Plotly';

const SETUP = `import * as tslab from 'tslab';
import * as aq from 'arquero';
import { runExperiment, sweep, interruptible, NotebookReport, curveFigure } from 'stalelab';
const report = new NotebookReport({ notebook: '99-kernel-fixture', profile: 'smoke', display: tslab.display, images: false });`;

const RUN = `const run = await runExperiment({ objective: { name: 'quadratic', dim: 10 }, lr: 0.05, steps: 60, evalEvery: 10 });
report.table('record', aq.from([{ status: run.record.status, updates: run.updates.numRows() }]), 'the run');`;

const figure = (name: string) => `report.figure('${name}', curveFigure(run.evals, { x: { column: 'step', title: 'updates' }, y: { column: 'loss', title: 'test loss', log: true } }));`;

// A budget no one waits for: only the interrupt ends it.
const LONG = `let said = false;
const long = await interruptible((control) => runExperiment(
  { objective: { name: 'quadratic', dim: 200 }, lr: 0.01, steps: 100000000, evalEvery: 500, seed: 1 },
  { ...control, progressIntervalSec: 0.1, onProgress: (p) => { if (!said && p.step >= 2000) { said = true; console.log('RUN-IN-FLIGHT'); } } },
));
console.log('LONG-RESULT ' + JSON.stringify({ status: long.record.status, rows: long.updates.numRows(), evals: long.evals.numRows(), updates: long.record.summary.updates }));`;

const SWEEP = `const grid = await interruptible((control) => sweep(
  { base: { objective: { name: 'quadratic', dim: 50 }, lr: 0.01, evalEvery: 500 }, vary: { steps: [300, 100000000, 400] } },
  { control: { ...control, progressIntervalSec: 0.1, onProgress: (p) => { if (p.label?.startsWith('[2/3]') && p.step >= 1000 && !said2) { said2 = true; console.log('SECOND-RUN-IN-FLIGHT'); } } } },
));
console.log('SWEEP-RESULT ' + JSON.stringify({ status: grid.status, runs: grid.runs.numRows(), steps: grid.runs.array('steps') }));`;

let session: Execution[] = [];
let notebookSession: Execution[] = [];
let notebookReports = '';
/** The real notebook re-run cell by cell: the cheapest one in the smoke profile. */
const RERUN_NOTEBOOK = '00-quickstart';

function drive(cells: { id: string; code: string; interrupt_on?: string }[], reportsDir: string): Execution[] {
  const run = spawnSync(PYTHON, [join(ROOT, 'test', 'notebooks', 'kernelSession.py')], {
    cwd: ROOT,
    input: JSON.stringify({ cwd: join(ROOT, 'notebooks'), cells }),
    encoding: 'utf8',
    env: { ...process.env, STALELAB_REPORTS_DIR: reportsDir, STALELAB_PROFILE: 'smoke' },
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `kernel session failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Execution[];
}
let reports = '';

before(() => {
  if (!hasJupyter) {
    assert.ok(!required, `STALELAB_REQUIRE_JUPYTER=1 but ${PYTHON} cannot import nbclient/jupyter_client`);
    return;
  }
  ensureDistBuilt();
  const setup = spawnSync('bash', ['scripts/setup-jupyter.sh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(setup.status, 0, `setup-jupyter failed:\n${setup.stdout}${setup.stderr}`);
  reports = mkdtempSync(join(tmpdir(), 'stalelab-kernel-'));
  const cells = [
    { id: 'setup', code: SETUP },
    { id: 'run', code: RUN },
    { id: 'fig-a', code: figure('loss') },
    { id: 'fig-b', code: figure('loss-log') },
    // Each cell again on its own, the set-up cell included, in an order no one planned.
    { id: 'run', code: RUN },
    { id: 'fig-b', code: figure('loss-log') },
    { id: 'setup', code: SETUP },
    { id: 'fig-a', code: figure('loss') },
    { id: 'run', code: RUN },
    { id: 'fig-b', code: figure('loss-log') },
    { id: 'long', code: LONG, interrupt_on: 'RUN-IN-FLIGHT' },
    { id: 'after', code: "console.log('AFTER ' + long.updates.numRows()); let said2 = false;" },
    { id: 'sweep', code: SWEEP, interrupt_on: 'SECOND-RUN-IN-FLIGHT' },
  ];
  session = drive(cells, reports);
  // A real notebook: every code cell in order, then every code cell again, last first (each re-run on its own after the others ran).
  const nb = JSON.parse(readFileSync(join(ROOT, 'notebooks', `${RERUN_NOTEBOOK}.ipynb`), 'utf8')) as { cells: { cell_type: string; id: string; source: string[] }[] };
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => ({ id: c.id, code: c.source.join('') }));
  notebookReports = mkdtempSync(join(tmpdir(), 'stalelab-kernel-nb-'));
  notebookSession = drive([...code, ...[...code].reverse()], notebookReports);
});

test('every cell re-runs on its own: outputs replace their earlier versions, plotly.js is in the notebook once', { skip }, () => {
  const rerun = session.slice(0, 10);
  for (const e of rerun) assert.equal(e.status, 'ok', `cell ${e.id}: ${e.stderr}`);
  assert.ok(rerun.every((e) => !/already written/.test(e.stderr)));
  // What the notebook holds: each cell's latest output (a re-run replaces the cell's output).
  const latest = new Map<string, Execution>();
  for (const e of rerun) latest.set(e.id, e);
  const copies = [...latest.values()].flatMap((e) => e.html).filter((h) => h.includes(LIBRARY)).length;
  assert.equal(copies, 1, 'one copy of plotly.js in the notebook');
  assert.ok(latest.get('fig-a')!.html[0].includes(LIBRARY), 'in the first figure\'s output, which embeds it again when re-run');
  assert.ok(latest.get('fig-b')!.html.every((h) => !h.includes(LIBRARY) && h.includes('stalelab-99-kernel-fixture-loss-log')));
  // Every re-run of the table cell showed and saved the same table again.
  assert.equal(rerun.filter((e) => e.id === 'run').length, 3);
  assert.ok(rerun.filter((e) => e.id === 'run').every((e) => e.html.some((h) => h.includes('record.csv</code>: 1 rows'))));
  for (const f of ['record.csv', 'loss.json', 'loss-log.json']) assert.ok(existsSync(join(reports, '99-kernel-fixture', f)), f);
  const csv = readFileSync(join(reports, '99-kernel-fixture', 'record.csv'), 'utf8');
  assert.match(csv, /^status,updates,profile\nfinished,60,smoke\n$/);
});

test('the interrupt button stops the run in flight through its signal: the cell ends with status interrupted and the rows so far', { skip }, () => {
  const long = session.find((e) => e.id === 'long')!;
  assert.ok(long.interrupted, 'the driver pressed interrupt');
  assert.equal(long.status, 'ok', `the cell finished normally, not abandoned: ${long.stderr}`);
  assert.match(long.stderr, /stalelab: interrupted: stopping the run after the update in flight/);
  const result = JSON.parse(/LONG-RESULT (.*)/.exec(long.stdout)![1]) as { status: string; rows: number; evals: number; updates: number };
  assert.equal(result.status, 'interrupted');
  assert.ok(result.rows >= 2000 && result.rows < 100000000, `kept ${result.rows} update rows`);
  assert.equal(result.rows, result.updates, 'every applied update kept');
  assert.ok(result.evals >= 4, 'evaluations so far kept');
  // The kernel is usable afterwards and the result is there.
  const after = session.find((e) => e.id === 'after')!;
  assert.equal(after.status, 'ok', after.stderr);
  assert.equal(after.stdout.trim(), `AFTER ${result.rows}`);
  // A sweep: the runs finished before the interrupt are returned, the one in flight is not.
  const grid = session.find((e) => e.id === 'sweep')!;
  assert.ok(grid.interrupted);
  assert.equal(grid.status, 'ok', grid.stderr);
  assert.deepEqual(JSON.parse(/SWEEP-RESULT (.*)/.exec(grid.stdout)![1]), { status: 'interrupted', runs: 1, steps: [300] });
  rmSync(reports, { recursive: true, force: true });
});

test(`a real notebook (${RERUN_NOTEBOOK}): every code cell re-run on its own after the whole notebook ran, with no error, one plotly.js, each output replaced`, { skip }, () => {
  const cells = new Set(notebookSession.map((e) => e.id));
  assert.equal(notebookSession.length, 2 * cells.size, 'every code cell ran twice');
  for (const e of notebookSession) {
    assert.equal(e.status, 'ok', `cell ${e.id}: ${e.stderr}`);
    assert.doesNotMatch(e.stderr, /error|already written/i, `cell ${e.id}`);
  }
  const latest = new Map<string, Execution>();
  for (const e of notebookSession) latest.set(e.id, e);
  const withFigures = [...latest.values()].filter((e) => e.html.some((h) => h.includes('plotly-graph-div')));
  assert.ok(withFigures.length >= 2, 'the notebook shows figures in several cells');
  assert.equal([...latest.values()].flatMap((e) => e.html).filter((h) => h.includes(LIBRARY)).length, 1, 'one copy of plotly.js in the notebook after the re-runs');
  // The second pass showed what the first did: the same number of displays per cell.
  const first = new Map<string, Execution>();
  for (const e of notebookSession) if (!first.has(e.id)) first.set(e.id, e);
  for (const [id, e] of latest) assert.equal(e.html.length + e.markdown.length, first.get(id)!.html.length + first.get(id)!.markdown.length, `cell ${id} showed the same outputs again`);
  rmSync(notebookReports, { recursive: true, force: true });
});
