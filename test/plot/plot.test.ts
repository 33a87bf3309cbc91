import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as aq from 'arquero';
import { curveFigure } from '../../src/plot/curveFigure.ts';
import { errorBarFigure } from '../../src/plot/errorBarFigure.ts';
import { histogramFigure } from '../../src/plot/histogramFigure.ts';
import { stepSizeFigure } from '../../src/plot/stepSizeFigure.ts';
import { summariseOverSeeds } from '../../src/plot/seedSummary.ts';
import { meanInterval } from '../../src/plot/meanInterval.ts';
import { figureHtml, plotlyLibraryHtml } from '../../src/plot/figureHtml.ts';
import { NotebookReport } from '../../src/plot/notebookReport.ts';
import { notebookProfile, NOTEBOOK_PROFILES } from '../../src/plot/profile.ts';
import { ConfigError } from '../../src/config/validate.ts';
import { deriveStepSize } from '../../src/stepsize/deriveStepSize.ts';
import type { Trace } from '../../src/plot/figureSpec.ts';

function sampleSd(values: number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
}

/** Student t quantiles t_{0.975, df} from statistical tables, so the interval is checked against an independent source. */
const T975 = { 1: 12.706204736, 2: 4.302652730 } as const;

/** Loss curves of two rules over three seeds, evaluated at the same steps. */
function lossTable() {
  const rows: { rule: string; seed: number; step: number; loss: number }[] = [];
  for (const rule of ['asgd', 'dana-zero']) {
    for (const seed of [1, 2, 3]) {
      for (const step of [0, 100, 200, 300]) {
        rows.push({ rule, seed, step, loss: (rule === 'asgd' ? 2 : 1.5) * Math.exp(-step / 200) + 0.05 * seed });
      }
    }
  }
  return aq.from(rows);
}

test('curveFigure: mean line per group with a 95 % t-interval band over seeds, in the line colour; one dash per series', () => {
  const table = lossTable();
  const fig = curveFigure(table, {
    x: { column: 'step', title: 'master updates' },
    y: { column: 'loss', title: 'training loss (cross-entropy)' },
    group: { column: 'rule', title: 'rule' },
    seed: 'seed',
    title: 'Loss',
  });
  assert.equal(fig.layout.xaxis.title.text, 'master updates');
  assert.equal(fig.layout.yaxis.title.text, 'training loss (cross-entropy)');
  assert.match((fig.layout.legend as { title: { text: string } }).title.text, /^rule<br><sub>line: mean over seeds; band: 95 % t-interval<\/sub>$/);
  assert.equal(fig.data.length, 4);
  const [band, line] = fig.data;
  assert.equal(line.name, 'asgd');
  assert.deepEqual(line.x, [0, 100, 200, 300]);
  assert.equal(band.fill, 'toself');
  assert.equal(band.showlegend, false);
  assert.equal(band.legendgroup, line.legendgroup);
  assert.equal((band.line as { color: string }).color, (line.line as { color: string }).color);
  assert.deepEqual(band.x, [0, 100, 200, 300, 300, 200, 100, 0]);
  const at200 = [1, 2, 3].map((seed) => 2 * Math.exp(-1) + 0.05 * seed);
  const mean = at200.reduce((a, b) => a + b, 0) / 3;
  assert.ok(Math.abs(line.y[2] - mean) < 1e-12);
  const ci = (T975[2] * sampleSd(at200)) / Math.sqrt(3);
  assert.ok(Math.abs(band.y[2] - (mean + ci)) < 1e-8, 'upper edge = mean + t·sd/√n');
  assert.ok(Math.abs(band.y[5] - (mean - ci)) < 1e-8, 'lower edge (reversed) = mean − t·sd/√n');
  assert.equal(band.name, 'asgd 95 % CI');
  assert.match(line.hovertemplate as string, /95 % CI, %\{customdata\[1\]\} seeds/);
  assert.equal(fig.data[3].name, 'dana-zero');
  assert.notEqual((fig.data[3].line as { color: string }).color, (line.line as { color: string }).color);
  assert.notEqual((fig.data[3].line as { dash: string }).dash, (line.line as { dash: string }).dash, 'coinciding series stay visible');
});

test('curveFigure: one seed draws no band; group order can be set', () => {
  const table = lossTable().filter((d: { seed: number }) => d.seed === 1);
  const fig = curveFigure(table, {
    x: { column: 'step', title: 'updates' },
    y: { column: 'loss', title: 'loss' },
    group: { column: 'rule', title: 'rule', order: ['dana-zero', 'asgd'] },
    seed: 'seed',
  });
  assert.deepEqual(fig.data.map((t) => t.name), ['dana-zero', 'asgd']);
  assert.ok(fig.data.every((t) => t.fill === undefined));
  // A series keeps its colour (its slot in `order`) when other series are filtered out.
  const full = curveFigure(table, { x: { column: 'step', title: 'u' }, y: { column: 'loss', title: 'l' }, group: { column: 'rule', title: 'rule', order: ['x', 'asgd', 'dana-zero'] } });
  const colourOf = (f: typeof full, name: string) => (f.data.find((t) => t.name === name)!.line as { color: string }).color;
  assert.equal(colourOf(fig, 'asgd'), colourOf(full, 'asgd'));
  assert.notEqual(colourOf(full, 'asgd'), colourOf(full, 'dana-zero'));
  // Without a seed column the rows at one x are one repetition: their mean, and no band.
  const pooled = curveFigure(lossTable(), { x: { column: 'step', title: 'updates' }, y: { column: 'loss', title: 'loss' }, group: { column: 'rule', title: 'rule' } });
  assert.equal(pooled.data.length, 2);
  assert.ok(Math.abs(pooled.data[0].y[0] - (2 + 0.1)) < 1e-12, 'mean of the three rows at step 0');
});

test('summariseOverSeeds: bins seeds that do not share x, averages within a seed first, drops non-finite rows', () => {
  // Seed 1 has two rows in the first bin; seed 2 one row there and a NaN (diverged) row later.
  const table = aq.table({
    seed: [1, 1, 1, 2, 2, 2],
    time: [0.1, 0.4, 9.9, 0.2, 5.5, 9.8],
    loss: [1, 3, 0.5, 4, NaN, 0.7],
  });
  const rows = summariseOverSeeds(table, { x: 'time', y: 'loss', seed: 'seed', bins: 2 });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].n, 2);
  assert.ok(Math.abs(rows[0].mean - (2 + 4) / 2) < 1e-12, 'seed 1 contributes its own mean (2) once');
  assert.ok(Math.abs((rows[0].sd as number) - sampleSd([2, 4])) < 1e-12);
  assert.ok(Math.abs((rows[0].ci as number) - (T975[1] * sampleSd([2, 4])) / Math.sqrt(2)) < 1e-8, '95 % t-interval half-width');
  assert.equal(rows[1].n, 2);
  assert.ok(Math.abs(rows[1].mean - 0.6) < 1e-12);
  assert.throws(() => summariseOverSeeds(table, { x: 'time', y: 'accuracy' }), /no column "accuracy"; its columns are seed, time, loss/);
  assert.throws(() => summariseOverSeeds(table, { x: 'time', y: 'loss', bins: 0 }), /bins must be a positive integer/);
});

test('errorBarFigure: mean and 95 % t-interval over seeds per N, ticks at the N that were run, log axis, one marker per series', () => {
  const rows: { rule: string; workers: number; seed: number; accuracy: number }[] = [];
  for (const rule of ['sa', 'ga']) {
    for (const workers of [32, 1, 8]) {
      for (const seed of [0, 1]) rows.push({ rule, workers, seed, accuracy: 0.9 - workers * (rule === 'sa' ? 0.01 : 0.002) + seed * 0.01 });
    }
  }
  const fig = errorBarFigure(aq.from(rows), {
    x: { column: 'workers', title: 'workers N', log: true },
    y: { column: 'accuracy', title: 'final test accuracy' },
    group: { column: 'rule', title: 'rule' },
    seed: 'seed',
  });
  assert.equal(fig.data.length, 2);
  const sa = fig.data[0];
  assert.deepEqual(sa.x, [1, 8, 32]);
  assert.ok(Math.abs(sa.y[1] - (0.9 - 0.08 + 0.005)) < 1e-12);
  const err = sa.error_y as { array: number[]; visible: boolean };
  assert.equal(err.visible, true);
  assert.ok(Math.abs(err.array[1] - (T975[1] * sampleSd([0.82, 0.83])) / Math.sqrt(2)) < 1e-8);
  assert.ok(Math.abs(err.array[1] - (meanInterval([0.82, 0.83]).halfWidth as number)) < 1e-12);
  assert.equal(fig.layout.xaxis.type, 'log');
  assert.deepEqual(fig.layout.xaxis.tickvals, [1, 8, 32]);
  assert.notEqual((fig.data[1].marker as { symbol: string }).symbol, (sa.marker as { symbol: string }).symbol);
  assert.match((fig.layout.legend as { title: { text: string } }).title.text, /95 % t-interval/);
});

test('histogramFigure: per-group probabilities sum to 1; counts from a weight column; tail clamped', () => {
  const samples = aq.table({
    mode: ['lock', 'lock', 'lock', 'lock', 'hogwild', 'hogwild'],
    staleness: [0, 1, 1, 7, 2, 2],
  });
  const fig = histogramFigure(samples, { value: { column: 'staleness', title: 'staleness τ (updates)' }, group: { column: 'mode', title: 'sync' }, clampAt: 5 });
  assert.equal(fig.data.length, 2);
  const lock = fig.data[0] as Trace;
  assert.equal(lock.type, 'bar');
  assert.deepEqual(lock.x, [0, 1, 5]);
  assert.deepEqual(lock.y, [0.25, 0.5, 0.25]);
  assert.deepEqual(fig.data[1].y, [1]);
  assert.equal(fig.layout.yaxis.title.text, 'fraction of updates');
  assert.equal(fig.layout.xaxis.title.text, 'staleness τ (updates)');

  const counts = aq.table({ tau: [0, 1, 2], count: [5, 3, 2] });
  const byCount = histogramFigure(counts, { value: { column: 'tau', title: 'τ' }, weight: 'count', normalise: 'count' });
  assert.deepEqual(byCount.data[0].y, [5, 3, 2]);
  assert.equal(byCount.layout.yaxis.title.text, 'updates');
});

test('stepSizeFigure: s(τ) lines from deriveStepSize over the measured distribution on a second axis', () => {
  const counts = [10, 30, 40, 15, 5];
  const kinds = ['constant', 'inverse', 'tail-tau'] as const;
  const [first, ...rest] = kinds.map((kind) => deriveStepSize(counts, kind).table.select('tau', 's').derive({ kind: aq.escape(() => kind) }));
  const curves = first.concat(...rest);
  const distribution = deriveStepSize(counts, 'tail-tau').table;
  const fig = stepSizeFigure(curves, { distribution });
  assert.equal(fig.data[0].type, 'bar');
  assert.equal(fig.data[0].yaxis, 'y2');
  assert.deepEqual(fig.data.slice(1).map((t) => t.name), ['constant', 'inverse', 'tail-tau']);
  const tail = fig.data[3];
  assert.ok(tail.y[0] > 1 && tail.y[tail.y.length - 1] < 1, 'TAIL-τ boosts fresh and shrinks stale updates');
  const p = fig.data[0].y;
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(fig.layout.yaxis2, 'second y axis for P(τ)');
  assert.match(fig.layout.yaxis.title.text, /s\(τ\)/);
});

test('figureHtml: a div and a newPlot call with script-safe JSON', () => {
  const fig = curveFigure(lossTable(), { x: { column: 'step', title: '</script><b>x' }, y: { column: 'loss', title: 'loss' }, seed: 'seed' });
  const html = figureHtml(fig, 'fig-1');
  assert.match(html, /<div id="fig-1" class="stalelab-plotly/);
  assert.match(html, /Plotly\.newPlot\(el, \[/);
  assert.equal(html.split('</script>').length, 2, 'the title cannot close the script element');
  assert.throws(() => figureHtml(fig, 'bad id"'), /divId/);
  const lib = plotlyLibraryHtml();
  assert.ok(lib.length > 1_000_000 && lib.includes('window.Plotly = Plotly'));
});

test('NotebookReport: saves figure JSON and table CSV stamped with the profile; inlines plotly once; a re-run replaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-report-'));
  try {
    const shown: string[] = [];
    const display = { html: (s: string) => shown.push(s), markdown: (s: string) => shown.push(`md:${s}`) };
    // SVG/PNG files are test/plot/figureImage.test.ts's subject; here only what every machine writes.
    const report = new NotebookReport({ notebook: '00-test', profile: 'smoke', display, reportsDir: dir, previewRows: 2, images: false });
    const table = lossTable();
    const fig = curveFigure(table, { x: { column: 'step', title: 'updates' }, y: { column: 'loss', title: 'loss' }, group: { column: 'rule', title: 'rule' }, seed: 'seed' });
    report.figure('loss', fig);
    report.figure('loss-again', fig);
    const stamped = report.table('losses', table, 'per-evaluation losses');
    report.markdown('**done**');

    assert.equal(shown.filter((s) => s.includes('window.Plotly = Plotly')).length, 1);
    assert.ok(shown[0].includes('stalelab-00-test-loss'));
    const saved = JSON.parse(readFileSync(join(dir, '00-test', 'loss.json'), 'utf8'));
    assert.equal(saved.layout.meta.profile, 'smoke');
    assert.deepEqual(saved.data, JSON.parse(JSON.stringify(fig.data)));
    const csv = aq.fromCSV(readFileSync(join(dir, '00-test', 'losses.csv'), 'utf8'));
    assert.equal(csv.numRows(), table.numRows());
    assert.deepEqual([...new Set(csv.array('profile') as string[])], ['smoke']);
    assert.ok(stamped.columnNames().includes('profile'));
    assert.match(shown[2], /losses\.csv<\/code>: 24 rows × 5 columns \(first 2 shown\)/);
    assert.equal(shown[3], 'md:**done**');
    assert.deepEqual(report.files(), ['00-test/loss.json', '00-test/loss-again.json', '00-test/losses.csv']);
    // A cell run again: its table and figure replace their earlier versions; no second plotly.js copy.
    report.table('losses', table.filter((d: { seed: number }) => d.seed === 1));
    assert.equal(aq.fromCSV(readFileSync(join(dir, '00-test', 'losses.csv'), 'utf8')).numRows(), table.numRows() / 3);
    report.figure('loss-again', fig);
    assert.deepEqual(report.files(), ['00-test/loss.json', '00-test/loss-again.json', '00-test/losses.csv']);
    assert.equal(shown.filter((s) => s.includes('window.Plotly = Plotly')).length, 1);
    // The set-up cell run again (a new report in the same kernel) keeps the files and adds no copy,
    // but the figure whose output held the library embeds it again, since that output is replaced.
    const again = new NotebookReport({ notebook: '00-test', profile: 'smoke', display, reportsDir: dir, images: false });
    assert.equal(existsSync(join(dir, '00-test', 'losses.csv')), true);
    again.figure('loss-again', fig);
    assert.equal(shown.filter((s) => s.includes('window.Plotly = Plotly')).length, 1);
    again.figure('loss', fig);
    assert.equal(shown.filter((s) => s.includes('window.Plotly = Plotly')).length, 2);
    assert.ok(shown.at(-1)!.includes('window.Plotly = Plotly') && shown.at(-1)!.includes('stalelab-00-test-loss"'));
    assert.throws(() => report.figure('../escape', fig), /output name/);

    // A second run (a new kernel process) clears what the first left in its own folder, and nothing else.
    writeFileSync(join(dir, 'keep.csv'), 'a\n1\n');
    const fresh = spawnSync(process.execPath, ['--import', 'tsx', '-e',
      `import('./src/plot/notebookReport.ts').then(({ NotebookReport }) => new NotebookReport({ notebook: '00-test', profile: 'quick', display: { html() {}, markdown() {} }, reportsDir: ${JSON.stringify(dir)}, images: false }))`],
    { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8' });
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.equal(existsSync(join(dir, '00-test', 'losses.csv')), false);
    assert.equal(existsSync(join(dir, 'keep.csv')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('notebookProfile: quick by default; an unknown value names the allowed ones', () => {
  assert.equal(notebookProfile({}), 'quick');
  assert.equal(notebookProfile({ STALELAB_PROFILE: 'smoke' }), 'smoke');
  assert.throws(() => notebookProfile({ STALELAB_PROFILE: 'fast' }), (e: unknown) => e instanceof ConfigError && e.message.includes(`got "fast"; allowed values: ${NOTEBOOK_PROFILES.join(', ')}`) && NOTEBOOK_PROFILES.includes('medium' as never));
});
