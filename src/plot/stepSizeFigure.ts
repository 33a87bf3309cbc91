import type { ColumnTable } from 'arquero';
import { axisLayout, baseLayout, type FigureSpec, type Trace } from './figureSpec.ts';
import { seriesColour, seriesDash, seriesSymbol } from './palette.ts';
import { groupOrder, requireColumns } from './seedSummary.ts';

export interface StepSizeFigureOptions {
  /** Long table of step-size functions: one row per (kind, τ) with the multiplier s(τ). */
  tau?: string;
  s?: string;
  kind?: string;
  kindOrder?: readonly string[];
  /** Optional staleness distribution (columns tau and p) drawn as grey bars on a second axis. */
  distribution?: ColumnTable;
  title?: string;
}

/**
 * Step-size multipliers s(τ) (α(τ) = α·s(τ)) as one line per kind — constant, inverse,
 * exponential, TAIL-τ … — over the staleness distribution they were derived from, so one sees
 * which τ carry the probability mass and how each rule scales them.
 */
export function stepSizeFigure(curves: ColumnTable, opts: StepSizeFigureOptions = {}): FigureSpec {
  const tau = opts.tau ?? 'tau';
  const s = opts.s ?? 's';
  const kind = opts.kind ?? 'kind';
  requireColumns(curves, [tau, s, kind], 'stepSizeFigure');
  const data: Trace[] = [];
  if (opts.distribution) {
    requireColumns(opts.distribution, ['tau', 'p'], 'stepSizeFigure distribution');
    data.push({
      type: 'bar',
      name: 'P(τ) measured',
      x: Array.from(opts.distribution.array('tau') as ArrayLike<number>),
      y: Array.from(opts.distribution.array('p') as ArrayLike<number>),
      yaxis: 'y2',
      marker: { color: 'rgba(127,127,127,0.35)' },
      hovertemplate: 'τ = %{x}: P = %{y:.3g}<extra></extra>',
    });
  }
  const objects = curves.objects() as Record<string, number | string>[];
  groupOrder(curves, kind, opts.kindOrder).forEach((k, i) => {
    const rows = objects.filter((r) => r[kind] === k).sort((a, b) => (a[tau] as number) - (b[tau] as number));
    const colour = seriesColour(i);
    data.push({
      type: 'scatter',
      name: String(k),
      x: rows.map((r) => r[tau] as number),
      y: rows.map((r) => r[s] as number),
      mode: 'lines+markers',
      line: { color: colour, width: 2, shape: 'hv', dash: seriesDash(i) },
      marker: { color: colour, size: 5, symbol: seriesSymbol(i) },
      hovertemplate: `${String(k)}<br>τ = %{x}: s = %{y:.3g}<extra></extra>`,
    });
  });
  const layout = baseLayout(opts.title, { column: tau, title: 'staleness τ (updates)' }, { column: s, title: 's(τ) = α(τ)/α (step-size multiplier)' }, 'step size');
  if (opts.distribution) {
    layout.yaxis2 = { ...axisLayout({ column: 'p', title: 'P(τ) (fraction of updates)' }), overlaying: 'y', side: 'right', showgrid: false, rangemode: 'tozero', tickformat: '.3~f' };
    layout.margin = { t: opts.title ? 50 : 20, r: 70, b: 55, l: 65 };
    // The right edge holds the P(τ) axis, so the legend goes below the plot.
    layout.legend = { title: { text: 'step size' }, orientation: 'h', x: 0, y: -0.2, yanchor: 'top' };
    layout.height = 500;
  }
  return { data, layout };
}
