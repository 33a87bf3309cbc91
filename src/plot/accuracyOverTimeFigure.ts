import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { baseLayout, type AxisColumn, type FigureSpec, type GroupColumn, type Trace } from './figureSpec.ts';
import { withLogTicks } from './logTicks.ts';
import { seriesColour, seriesDash, translucent } from './palette.ts';
import { colourSlots, groupOrder, requireColumns, summariseOverSeeds } from './seedSummary.ts';

export interface AccuracyOverTimeFigureOptions {
  /** The clock, e.g. { column: 'sim_time', title: 'simulated time (mean compute times of one gradient)', log: true }. */
  time: AxisColumn;
  /** e.g. test accuracy. */
  y: AxisColumn;
  /** The rule column: one colour per rule. */
  rule: GroupColumn;
  /** The worker-count column: one dash per N. */
  workers: string;
  /** Column identifying seeds: line = mean over seeds at each evaluation step, band = its 95 % t-interval. */
  seed?: string;
  /** The baseline rule (default ssgd), drawn in black and thicker. */
  baseline?: string;
  /** A target accuracy drawn as a dotted horizontal line. */
  target?: number;
  title?: string;
}

const BASELINE_COLOUR = '#222222';

/**
 * y (test accuracy) against time, one curve per rule and worker count: colour per rule, dash per
 * N, the baseline (SSGD) in black — the figure asynchronous-SGD papers compare rules with, since
 * a rule is only faster if it reaches an accuracy sooner in time, not in updates. Seeds are
 * matched by evaluation step (every run of a grid evaluates at the same steps): each point is the
 * mean time and mean accuracy over seeds at one step, with a 95 % t-interval band on accuracy.
 */
export function accuracyOverTimeFigure(evals: ColumnTable, opts: AccuracyOverTimeFigureOptions): FigureSpec {
  const { time, y, rule, workers, seed } = opts;
  requireColumns(evals, [time.column, y.column, rule.column, workers, seed, 'step'], 'accuracyOverTimeFigure');
  const baseline = opts.baseline ?? 'ssgd';
  const rules = groupOrder(evals, rule.column, rule.order);
  const slots = colourSlots(rules, rule.order);
  const ns = [...new Set(Array.from(evals.array(workers) as ArrayLike<number>))].sort((a, b) => a - b);
  const data: Trace[] = [];
  rules.forEach((r, k) => {
    const isBaseline = r === baseline;
    const colour = isBaseline ? BASELINE_COLOUR : seriesColour(slots[k]);
    ns.forEach((n, d) => {
      const series = evals.filter(aq.escape((o: Record<string, unknown>) => o[rule.column] === r && o[workers] === n));
      if (series.numRows() === 0) return;
      const acc = summariseOverSeeds(series, { x: 'step', y: y.column, seed });
      const clock = summariseOverSeeds(series, { x: 'step', y: time.column, seed });
      const timeAt = new Map(clock.map((c) => [c.x, c.mean]));
      const points = acc
        .map((a) => ({ t: timeAt.get(a.x) as number, mean: a.mean, ci: a.ci, n: a.n, step: a.x }))
        .filter((p) => Number.isFinite(p.t) && (!time.log || p.t > 0))
        .sort((a, b) => a.t - b.t);
      if (points.length === 0) return;
      const name = `${String(r)}, N=${n}`;
      const legendgroup = `rule-${k}`;
      const banded = points.filter((p) => p.ci !== null);
      if (banded.length > 0) {
        data.push({
          type: 'scatter', name: `${name} 95 % CI`, mode: 'lines', fill: 'toself', fillcolor: translucent(colour, 0.12),
          x: [...banded.map((p) => p.t), ...banded.map((p) => p.t).reverse()],
          y: [...banded.map((p) => p.mean + (p.ci as number)), ...banded.map((p) => p.mean - (p.ci as number)).reverse()],
          line: { width: 0, color: colour }, hoverinfo: 'skip', showlegend: false, legendgroup,
        });
      }
      data.push({
        type: 'scatter', name, mode: 'lines',
        x: points.map((p) => p.t), y: points.map((p) => p.mean),
        line: { color: colour, width: isBaseline ? 3 : 2, dash: seriesDash(d) },
        legendgroup,
        customdata: points.map((p) => [p.step, p.ci ?? 0, p.n]),
        hovertemplate: `${name}<br>t = %{x:.4g}, step %{customdata[0]}: %{y:.4g} ± %{customdata[1]:.2g} (95 % CI, %{customdata[2]} seeds)<extra></extra>`,
      });
    });
  });
  const layout = baseLayout(opts.title, time, y, `${rule.title} (colour), N (dash)<br><sub>baseline ${baseline} in black; band: 95 % t-interval over seeds</sub>`);
  if (opts.target !== undefined) {
    layout.shapes = [{ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: opts.target, y1: opts.target, line: { color: '#888', width: 1, dash: 'dot' } }];
    layout.annotations = [{ text: `target ${opts.target}`, xref: 'paper', x: 0, xanchor: 'left', yref: 'y', y: opts.target, yanchor: 'bottom', showarrow: false, font: { size: 11, color: '#666' } }];
  }
  return withLogTicks({ data, layout });
}
