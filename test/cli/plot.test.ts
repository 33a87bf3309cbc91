/**
 * `stalelab plot DIR`: the standard figures of a real saved run (an MLP on MNIST: test loss and
 * accuracy, minibatch loss, staleness) and of a real sweep directory (final test loss against
 * workers per rule, over seeds), drawn by headless Chromium into DIR/figures or --out; the
 * sweep's tables are there as .arrow and .parquet too. Bad input is one line and status 2.
 * The rendering tests need Chromium (skipped without it unless STALELAB_REQUIRE_CHROMIUM=1).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from './runCli.ts';
import { CHROMIUM_ENV, chromiumAvailable, FIGURE_FORMATS } from '../../src/plot/figureImage.ts';
import { REQUIRE_CHROMIUM_ENV } from '../../src/plot/notebookReport.ts';
import { loadRun } from '../../src/results/runDir.ts';
import { tableFromArrow, tableFromParquet, TABLE_FORMATS } from '../../src/results/tableFiles.ts';

const skip = !chromiumAvailable() && process.env[REQUIRE_CHROMIUM_ENV] !== '1' ? 'no Chromium (sudo apt-get install chromium)' : false;
const dir = mkdtempSync(join(tmpdir(), 'stalelab-plot-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const points = (svg: string) => (svg.match(/class="point[ "]/g) ?? []).length;

test('plot RUN: test loss and accuracy with one marker per evaluation, minibatch loss and staleness, in every format', { skip }, async () => {
  const run = join(dir, 'mlp');
  const r = await cli('run', '--model', 'mlp', '--dataset', 'mnist', '--train-size', '1000', '--test-size', '300', '--steps', '40', '--eval-every', '10', '--workers', '4', '--batch-size', '32', '--lr', '0.05', '--backend', 'wasm', '--out', run, '--no-progress');
  assert.equal(r.code, 0, r.err);
  const p = await cli('plot', run);
  assert.equal(p.code, 0, p.err);
  const names = ['test_loss', 'test_accuracy', 'minibatch_loss', 'staleness'];
  assert.deepEqual(readdirSync(join(run, 'figures')).sort(), names.flatMap((n) => FIGURE_FORMATS.map((f) => `${n}.${f}`)).sort());
  const tests = loadRun(run).evals.filter((d: { split: string }) => d.split === 'test').numRows();
  assert.ok(tests >= 5, `${tests} test evaluations`);
  for (const n of ['test_loss', 'test_accuracy']) assert.equal(points(readFileSync(join(run, 'figures', `${n}.svg`), 'utf8')), tests, `${n}: a marker per evaluation`);
  const staleness = readFileSync(join(run, 'figures', 'staleness.svg'), 'utf8');
  const taus = new Set(Array.from(loadRun(run).updates.array('staleness') as ArrayLike<number>));
  assert.ok(staleness.includes('staleness τ (updates)') && staleness.includes('class="trace bars"'), 'a bar chart of τ');
  assert.equal(points(staleness), taus.size, 'one bar per staleness value seen');
  assert.equal(readFileSync(join(run, 'figures', 'test_accuracy.pdf')).toString('latin1', 0, 5), '%PDF-');
  assert.match(p.out, /plot: run .*: 4 figures \(test_loss, test_accuracy, minibatch_loss, staleness\) as svg, png, pdf/);
});

test('plot SWEEP: final test loss against workers per rule (accuracy skipped for an objective); the sweep tables are also Arrow and Parquet', { skip }, async () => {
  const out = join(dir, 'sweep');
  const grid = join(dir, 'grid.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(grid, 'base: { objective: quadratic, lr: 0.05, steps: 20 }\nvary:\n  rule: [asgd, ga]\n  workers: [1, 4, 16]\n  seed: [1, 2]\n');
  const s = await cli('sweep', grid, '--out', out, '--no-progress');
  assert.equal(s.code, 0, s.err);
  for (const t of ['runs', 'updates', 'evals']) {
    for (const f of TABLE_FORMATS) assert.ok(existsSync(join(out, `${t}.${f}`)), `${t}.${f}`);
    assert.equal(tableFromArrow(readFileSync(join(out, `${t}.arrow`))).numRows(), tableFromParquet(readFileSync(join(out, `${t}.parquet`))).numRows());
  }
  assert.equal(tableFromParquet(readFileSync(join(out, 'runs.parquet'))).numRows(), 12);
  const figures = join(dir, 'sweep-figures');
  const p = await cli('plot', out, '--format', 'svg,png', '--out', figures);
  assert.equal(p.code, 0, p.err);
  assert.deepEqual(readdirSync(figures).sort(), ['final_test_loss_vs_workers.png', 'final_test_loss_vs_workers.svg']);
  assert.match(p.out, /skipped final_test_accuracy_vs_workers: no run has a final test accuracy/);
  const svg = readFileSync(join(figures, 'final_test_loss_vs_workers.svg'), 'utf8');
  assert.equal(svg.split('class="trace scatter').length - 1, 2, 'one series per rule');
  assert.equal(points(svg), 6, 'three worker counts per rule, seeds averaged');
  assert.ok(svg.includes('>asgd<') && svg.includes('>ga<'));
  assert.ok(/class="yerror"/.test(svg), 'error bars over the two seeds');
});

test('plot: bad input is one line and status 2, naming what is wrong', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty, { recursive: true });
  const cases: [string[], RegExp][] = [
    [['plot', join(dir, 'nope')], /plot: ".*nope" is not a directory/],
    [['plot', empty], /holds neither a saved run \(run\.json\) nor a sweep \(runs\.csv\)/],
    [['plot', empty, '--format', 'svg,gif'], /plot --format: got "svg,gif"; give a comma-separated list of svg, png, pdf/],
  ];
  for (const [args, want] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, want);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('plot without Chromium: status 2 and the install command', async () => {
  const run = join(dir, 'quad');
  assert.equal((await cli('run', '--objective', 'quadratic', '--steps', '10', '--lr', '0.05', '--out', run, '--no-progress')).code, 0);
  const saved = process.env[CHROMIUM_ENV];
  process.env[CHROMIUM_ENV] = '/nonexistent/chromium';
  try {
    const r = await cli('plot', run);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^stalelab: static figure export needs Chromium: STALELAB_CHROMIUM=\/nonexistent\/chromium is not a file; install it with sudo apt-get install -y chromium/);
    assert.equal(existsSync(join(run, 'figures')), false, 'nothing is written');
  } finally {
    if (saved === undefined) delete process.env[CHROMIUM_ENV];
    else process.env[CHROMIUM_ENV] = saved;
  }
});
