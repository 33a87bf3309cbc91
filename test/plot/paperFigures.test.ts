import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { meanInterval, tHalfWidth } from '../../src/plot/meanInterval.ts';
import { logTicks, withLogTicks } from '../../src/plot/logTicks.ts';
import { curveFigure } from '../../src/plot/curveFigure.ts';
import { histogramFigure } from '../../src/plot/histogramFigure.ts';
import { accuracyOverTimeFigure } from '../../src/plot/accuracyOverTimeFigure.ts';
import { speedupTable, timeToAccuracy, SPEEDUP_COLUMNS, TIME_TO_ACCURACY_COLUMNS } from '../../src/plot/timeToAccuracy.ts';
import { stepSizePanelsFigure } from '../../src/plot/stepSizePanelsFigure.ts';
import { deriveStepSize } from '../../src/stepsize/deriveStepSize.ts';
import { sweep } from '../../src/sweep/sweep.ts';
import { runThreads } from '../../src/engines/threads/runThreads.ts';
import type { Trace } from '../../src/plot/figureSpec.ts';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('meanInterval: the Student t interval of the mean (values from t tables), null spread for one value, bad input named', () => {
  // t_{0.975, 4} = 2.776445 (tables); values 1..5: mean 3, sd √2.5.
  const iv = meanInterval([1, 2, 3, 4, 5]);
  assert.equal(iv.mean, 3);
  assert.ok(close(iv.sd as number, Math.sqrt(2.5)));
  assert.ok(close(iv.halfWidth as number, (2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-8));
  assert.ok(close(iv.lower as number, 3 - (iv.halfWidth as number)) && close(iv.upper as number, 3 + (iv.halfWidth as number)));
  // 90 %: t_{0.95, 4} = 2.131847.
  assert.ok(close(meanInterval([1, 2, 3, 4, 5], 0.9).halfWidth as number, (2.131846786 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-8));
  // Two seeds: the interval is 12.7 sd/√2 wide, far wider than ± sd.
  assert.ok((meanInterval([0.9, 0.92]).halfWidth as number) > 6 * (meanInterval([0.9, 0.92]).sd as number));
  assert.deepEqual(meanInterval([0.7]), { mean: 0.7, sd: null, n: 1, level: 0.95, halfWidth: null, lower: null, upper: null });
  assert.equal(tHalfWidth(1, 1), null);
  assert.throws(() => meanInterval([]), /no values/);
  assert.throws(() => meanInterval([1, NaN]), /value 1 is NaN; every value must be finite/);
  assert.throws(() => meanInterval([1, 2], 95), /level must be in \(0, 1\)/);
});

test('logTicks: decades as plain numbers or powers of ten, 2× and 5× only when the range is under two decades', () => {
  const wide = logTicks(3e-5, 0.8);
  assert.deepEqual(wide.tickvals, [1e-4, 1e-3, 1e-2, 1e-1]);
  assert.deepEqual(wide.ticktext, ['10<sup>-4</sup>', '0.001', '0.01', '0.1']);
  assert.ok(wide.ticktext.every((t) => !/µ|m$|k$/.test(t)), 'no SI prefixes such as 100µ');
  assert.deepEqual(logTicks(1, 32).tickvals, [1, 10]);
  assert.deepEqual(logTicks(1.5, 9).tickvals, [2, 5]);
  assert.deepEqual(logTicks(1.5, 3.5).tickvals, [2, 3]);
  assert.deepEqual(logTicks(1.05, 1.9), { tickvals: [1.2, 1.4, 1.6, 1.8], ticktext: ['1.2', '1.4', '1.6', '1.8'] });
  assert.deepEqual(logTicks(1e-8, 1e6).tickvals, [1e-8, 1e-6, 1e-4, 1e-2, 1, 100, 1e4, 1e6], 'past 8 decades every second one');
  assert.throws(() => logTicks(0, 1), /0 < lo ≤ hi/);

  // Applied to a figure: the log y axis of a loss curve gets decade ticks from its data; linear axes are left alone.
  const table = aq.table({ step: [0, 1, 2, 3], loss: [2, 0.3, 0.02, 0.004] });
  const fig = curveFigure(table, { x: { column: 'step', title: 'updates' }, y: { column: 'loss', title: 'loss', log: true } });
  assert.equal(fig.layout.yaxis.tickmode, 'array');
  assert.deepEqual(fig.layout.yaxis.tickvals, [0.01, 0.1, 1]);
  assert.equal(fig.layout.xaxis.tickvals, undefined);
  // Ticks a builder chose (the worker counts that ran) are kept.
  const chosen = withLogTicks({ data: [{ type: 'scatter', x: [1, 8, 32], y: [1, 2, 3] }], layout: { xaxis: { title: { text: 'N' }, type: 'log', tickvals: [1, 8, 32] }, yaxis: { title: { text: 'y' } } } });
  assert.deepEqual(chosen.layout.xaxis.tickvals, [1, 8, 32]);
});

/** Evals of two rules at two N over two seeds, the same steps per seed, times differing by seed. */
function evalsTable() {
  const rows: Record<string, unknown>[] = [];
  for (const rule of ['ssgd', 'asgd']) {
    for (const workers of [1, 8]) {
      for (const seed of [0, 1]) {
        for (const step of [0, 10, 20, 30]) {
          // SSGD rounds take longer (the slowest of N), so reach the same accuracy later in time.
          const perStep = (rule === 'ssgd' ? 2 : 1) / workers + 0.01 * seed;
          rows.push({ rule, workers, seed, step, split: 'test', sim_time: step * perStep, accuracy: 0.1 + 0.025 * step + 0.01 * seed });
          rows.push({ rule, workers, seed, step, split: 'train', sim_time: step * perStep, accuracy: 0 });
        }
      }
    }
  }
  return aq.from(rows);
}

test('accuracyOverTimeFigure: one curve per rule and N (colour per rule, dash per N, SSGD in black), points at the mean time over seeds', () => {
  const evals = evalsTable().filter((d: { split: string }) => d.split === 'test');
  const fig = accuracyOverTimeFigure(evals, {
    time: { column: 'sim_time', title: 'simulated time', log: true },
    y: { column: 'accuracy', title: 'test accuracy' },
    rule: { column: 'rule', title: 'rule' }, workers: 'workers', seed: 'seed', target: 0.6,
  });
  const lines = fig.data.filter((t) => t.fill === undefined);
  assert.deepEqual(lines.map((t) => t.name), ['ssgd, N=1', 'ssgd, N=8', 'asgd, N=1', 'asgd, N=8']);
  const style = (t: Trace) => t.line as { color: string; dash: string; width: number };
  assert.equal(style(lines[0]).color, '#222222');
  assert.equal(style(lines[0]).width, 3);
  assert.notEqual(style(lines[2]).color, '#222222');
  assert.equal(style(lines[0]).dash, style(lines[2]).dash, 'same N, same dash');
  assert.notEqual(style(lines[2]).dash, style(lines[3]).dash, 'another N, another dash');
  // asgd N=8 at step 10: times 10·(1/8) and 10·(1/8 + 0.01) → mean 1.3; accuracies 0.35, 0.36.
  const asgd8 = lines[3];
  assert.ok(close(asgd8.x[0] as number, 1.3), 'step 0 (time 0) is left out of a log time axis');
  assert.ok(close(asgd8.y[0], 0.355));
  const band = fig.data.find((t) => t.name === 'asgd, N=8 95 % CI')!;
  assert.ok(close(band.y[0], 0.355 + (meanInterval([0.35, 0.36]).halfWidth as number)));
  assert.equal(fig.layout.xaxis.type, 'log');
  assert.equal(fig.layout.xaxis.tickmode, 'array');
  assert.equal((fig.layout.shapes as { y0: number }[])[0].y0, 0.6);
  assert.match((fig.layout.legend as { title: { text: string } }).title.text, /baseline ssgd in black; band: 95 % t-interval/);
});

test('timeToAccuracy and speedupTable: the first evaluation at the target per run, mean over seeds that reached it, speed-up over SSGD at the same N', () => {
  const evals = evalsTable();
  const per = timeToAccuracy(evals, { target: 0.6 });
  assert.deepEqual(per.columnNames(), ['rule', 'workers', 'seed', ...TIME_TO_ACCURACY_COLUMNS]);
  const row = (per.objects() as Record<string, unknown>[]).find((r) => r.rule === 'asgd' && r.workers === 8 && r.seed === 1)!;
  // accuracy 0.11 + 0.025·step ≥ 0.6 first at step 20 (0.61), time 20·(1/8 + 0.01).
  assert.equal(row.step_to_target, 20);
  assert.ok(close(row.time_to_target as number, 20 * 0.135));
  const missed = timeToAccuracy(evals, { target: 0.95 }).objects() as Record<string, unknown>[];
  assert.ok(missed.every((r) => r.reached === false && r.time_to_target === null));

  const table = speedupTable(evals, { target: 0.6 });
  assert.deepEqual(table.columnNames(), ['rule', 'workers', ...SPEEDUP_COLUMNS]);
  const cells = table.objects() as Record<string, number | string | null>[];
  const at = (rule: string, n: number) => cells.find((c) => c.rule === rule && c.workers === n)!;
  // seed 0 reaches 0.6 at step 20 (0.60), seed 1 at step 20 (0.61).
  const asgdTimes = [20 * (1 / 8), 20 * (1 / 8 + 0.01)];
  const ssgdTimes = [20 * (2 / 8), 20 * (2 / 8 + 0.01)];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(close(at('asgd', 8).time_mean as number, mean(asgdTimes)));
  assert.ok(close(at('asgd', 8).time_ci_upper as number, meanInterval(asgdTimes).upper as number));
  assert.ok(close(at('asgd', 8).speedup as number, mean(ssgdTimes) / mean(asgdTimes)));
  assert.ok((at('asgd', 8).speedup as number) > 1.8, 'asynchronous rounds are about twice as fast here');
  assert.ok(close(at('ssgd', 1).speedup as number, 1));
  assert.equal(at('asgd', 8).reached, 2);
  const none = speedupTable(evals, { target: 0.95 }).objects() as Record<string, unknown>[];
  assert.ok(none.every((c) => c.time_mean === null && c.speedup === null && c.reached === 0));
  assert.throws(() => timeToAccuracy(evals, { target: 60 }), /target is an accuracy in \(0, 1\]/);
  assert.throws(() => timeToAccuracy(evals, { target: 0.6, time: 'wall_time' }), /no column "wall_time"/);
});

test('stepSizePanelsFigure: one panel per sync mode with the same colour per step size, P(τ) on a right axis per panel, legend once', () => {
  const measured: Record<string, number[]> = { lock: [40, 40, 15, 5], hogwild: [70, 20, 10], leashed: [20, 30, 30, 15, 5] };
  const curves: Record<string, unknown>[] = [];
  const dist: Record<string, unknown>[] = [];
  for (const [sync, counts] of Object.entries(measured)) {
    for (const kind of ['inverse', 'tail-tau'] as const) {
      for (const r of deriveStepSize(counts, kind).table.objects() as { tau: number; s: number; p: number }[]) {
        curves.push({ sync, kind, tau: r.tau, s: r.s });
        if (kind === 'tail-tau') dist.push({ sync, tau: r.tau, p: r.p });
      }
    }
  }
  const fig = stepSizePanelsFigure(aq.from(curves), { panel: 'sync', panelOrder: ['lock', 'hogwild', 'leashed'], distribution: aq.from(dist) });
  const lines = fig.data.filter((t) => t.type === 'scatter');
  assert.equal(lines.length, 6);
  assert.deepEqual([...new Set(lines.map((t) => t.xaxis))], ['x', 'x2', 'x3']);
  const colours = (kind: string) => new Set(lines.filter((t) => t.name === kind).map((t) => (t.line as { color: string }).color));
  assert.equal(colours('inverse').size, 1);
  assert.notDeepEqual([...colours('inverse')], [...colours('tail-tau')]);
  assert.equal(lines.filter((t) => t.showlegend).length, 2, 'each step size once in the legend');
  const hogwildTail = lines.find((t) => t.xaxis === 'x2' && t.name === 'tail-tau')!;
  assert.deepEqual(hogwildTail.x, Array.from(deriveStepSize(measured.hogwild, 'tail-tau').table.array('tau') as ArrayLike<number>));
  assert.deepEqual(hogwildTail.y, Array.from(deriveStepSize(measured.hogwild, 'tail-tau').table.array('s') as ArrayLike<number>));
  const bars = fig.data.filter((t) => t.type === 'bar');
  assert.deepEqual(bars.map((t) => t.yaxis), ['y4', 'y5', 'y6']);
  assert.ok(bars.every((b) => close(b.y.reduce((a, c) => a + c, 0), 1)));
  assert.equal((fig.layout.yaxis5 as { overlaying: string }).overlaying, 'y2');
  assert.equal((fig.layout.yaxis2 as { matches: string }).matches, 'y');
  assert.deepEqual((fig.layout.annotations as { text: string }[]).map((a) => a.text), ['<b>lock</b>', '<b>hogwild</b>', '<b>leashed</b>']);
  assert.throws(() => stepSizePanelsFigure(aq.from(curves), { panel: 'mode' }), /no column "mode"/);
});

test('staleness per N from a real simulated sweep: one histogram per N, mean τ of each near N − 1', async () => {
  const r = await sweep({
    base: { objective: { name: 'quadratic', dim: 20 }, lr: 0.01, steps: 600, timing: { kind: 'gamma', shape: 4 }, seed: 3 },
    vary: { workers: [1, 4, 16] },
  });
  const fig = histogramFigure(r.updates, { value: { column: 'staleness', title: 'staleness τ (updates)' }, group: { column: 'workers', title: 'workers N' }, clampAt: 60, logY: true });
  assert.deepEqual(fig.data.map((t) => t.name), ['1', '4', '16']);
  for (const t of fig.data) {
    const n = Number(t.name);
    const mean = t.x.reduce((a: number, x, i) => a + (x as number) * t.y[i], 0);
    assert.ok(close(t.y.reduce((a, b) => a + b, 0), 1), 'probabilities');
    assert.ok(Math.abs(mean - (n - 1)) <= 0.15 * n, `N = ${n}: mean τ ${mean}`);
  }
  assert.deepEqual(fig.data[0].x, [0], 'one worker is never stale');
  assert.equal(fig.layout.yaxis.type, 'log');
  assert.ok((fig.layout.yaxis.tickvals as number[]).every((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 || [2, 5].includes(Math.round(v / 10 ** Math.floor(Math.log10(v))))));
});

test('loss against wall-clock from real threads: x is each evaluation\'s wall time, increasing, with a band over seeds', async () => {
  const runs = [];
  for (const seed of [0, 1]) {
    const r = await runThreads({ sync: 'lock', workers: 2, lr: 0.05, steps: 300, evalEvery: 50, evalSplits: ['train'], seed, objective: { name: 'quadratic', dim: 50, noise: 0.1 } });
    runs.push(r.evals.derive({ seed: aq.escape(() => seed) }));
  }
  const evals = runs[0].concat(runs[1]);
  assert.ok(evals.columnNames().includes('wall_time'));
  const fig = curveFigure(evals, { x: { column: 'wall_time', title: 'wall-clock time (s)' }, y: { column: 'loss', title: 'training loss', log: true }, seed: 'seed', bins: 4 });
  const line = fig.data.find((t) => t.fill === undefined)!;
  assert.ok(line.x.every((x, i) => i === 0 || (x as number) > (line.x[i - 1] as number)), 'wall time increases');
  assert.ok(line.y[line.y.length - 1] < line.y[0], 'the loss falls over wall-clock time');
  assert.ok(fig.data.some((t) => t.fill === 'toself'), 'two seeds: a band');
});
