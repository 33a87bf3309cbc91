/**
 * Runs every notebook headless in the smoke profile through the nbclient driver, exactly as CI
 * and `npm run report` do, and fails on any cell error. Needs Debian's Jupyter on /usr/bin/python3
 * (scripts/setup-jupyter.sh installs it); skipped with a message only where nbclient is missing.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDistBuilt } from './distBuild.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = process.env.STALELAB_PYTHON ?? '/usr/bin/python3';
const hasJupyter = spawnSync(PYTHON, ['-c', 'import nbclient, nbconvert, nbformat, jupyter_client'], { stdio: 'ignore' }).status === 0;
// CI sets STALELAB_REQUIRE_JUPYTER=1 so that a broken Jupyter set-up fails instead of skipping.
const required = process.env.STALELAB_REQUIRE_JUPYTER === '1';
const skip = hasJupyter || required ? false : `${PYTHON} cannot import nbclient/nbconvert/nbformat/jupyter_client: run bash scripts/setup-jupyter.sh`;

before(() => {
  if (!hasJupyter) {
    assert.ok(!required, `STALELAB_REQUIRE_JUPYTER=1 but ${PYTHON} cannot import nbclient/nbconvert/nbformat/jupyter_client (run bash scripts/setup-jupyter.sh)`);
    return;
  }
  const setup = spawnSync('bash', ['scripts/setup-jupyter.sh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(setup.status, 0, `setup-jupyter failed:\n${setup.stdout}${setup.stderr}`);
});

function runDriver(args: string[]) {
  return spawnSync(PYTHON, [join(ROOT, 'scripts', 'run_notebooks.py'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, STALELAB_PROFILE: '' } });
}

test('every notebook runs in the smoke profile without a cell error and writes an HTML report with plots', { skip }, () => {
  ensureDistBuilt();
  const reports = mkdtempSync(join(tmpdir(), 'stalelab-smoke-'));
  try {
    const run = runDriver(['--profile', 'smoke', '--reports', reports, '--timeout', '300']);
    assert.equal(run.status, 0, `run_notebooks failed:\n${run.stdout}\n${run.stderr}`);
    const names = readdirSync(join(ROOT, 'notebooks')).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).map((f) => f.replace(/\.ipynb$/, ''));
    assert.ok(names.length >= 1);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as { profile: string; notebooks: { notebook: string; ok: boolean }[] };
    assert.equal(summary.profile, 'smoke');
    assert.deepEqual(summary.notebooks.map((n) => [n.notebook, n.ok]), names.map((n) => [n, true]));
    for (const name of names) {
      const html = readFileSync(join(reports, `${name}.html`), 'utf8');
      assert.match(html, /<div id="stalelab-[\w-]+" class="stalelab-plotly plotly-graph-div"/, `${name}.html has a plotly figure`);
      assert.match(html, /window\.Plotly\.newPlot/);
      const executed = JSON.parse(readFileSync(join(reports, `${name}.ipynb`), 'utf8')) as { cells: { cell_type: string; execution_count: number | null; outputs?: { data?: Record<string, string | string[]> }[] }[] };
      const counts = executed.cells.filter((c) => c.cell_type === 'code').map((c) => c.execution_count);
      assert.deepEqual(counts, counts.map((_, i) => i + 1), `${name}: every code cell ran, numbered in order`);
      const htmlOutputs = executed.cells.flatMap((c) => c.outputs ?? []).map((o) => [o.data?.['text/html'] ?? ''].flat().join(''));
      assert.equal(htmlOutputs.filter((h) => h.includes('window.Plotly = Plotly')).length, 1, `${name}: plotly.js embedded once`);
      const csvs = readdirSync(join(reports, name)).filter((f) => f.endsWith('.csv'));
      assert.ok(csvs.length >= 1, `${name} saved its tables`);
      for (const csv of csvs) {
        const table = aq.fromCSV(readFileSync(join(reports, name, csv), 'utf8'));
        assert.ok(table.columnNames().includes('profile'), `${name}/${csv} records the profile`);
        assert.ok((table.array('profile') as string[]).every((p) => p === 'smoke'), `${name}/${csv}: every row is from the smoke profile`);
      }
    }
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
});

test('a failing cell fails the driver, which prints the cell and the error tslab reported', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-failing-'));
  try {
    const nb = {
      cells: [
        { cell_type: 'code', id: 'a', metadata: {}, source: ['const ok = 1;'], execution_count: null, outputs: [] },
        { cell_type: 'code', id: 'b', metadata: {}, source: ["throw new Error('boom-7355');"], execution_count: null, outputs: [] },
        { cell_type: 'code', id: 'c', metadata: {}, source: ['ok'], execution_count: null, outputs: [] },
      ],
      metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    writeFileSync(join(dir, 'failing.ipynb'), JSON.stringify(nb));
    const run = runDriver(['--profile', 'smoke', '--reports', join(dir, 'reports'), join(dir, 'failing.ipynb')]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /\[failing\] FAILED/);
    assert.match(run.stderr, /cell 1 source:\n\s+throw new Error\('boom-7355'\);/);
    assert.match(run.stderr, /Error: boom-7355/);
    assert.ok(existsSync(join(dir, 'reports', 'failing.html')), 'the partial report is still written');
    const summary = JSON.parse(readFileSync(join(dir, 'reports', 'summary.json'), 'utf8')) as { notebooks: { ok: boolean; failed_cell: number }[] };
    assert.deepEqual([summary.notebooks[0].ok, summary.notebooks[0].failed_cell], [false, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
