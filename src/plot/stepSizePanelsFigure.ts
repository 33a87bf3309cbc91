import type { ColumnTable } from 'arquero';
import { axisLayout, type FigureSpec, type Layout, type Trace } from './figureSpec.ts';
import { seriesColour, seriesDash, seriesSymbol } from './palette.ts';
import { groupOrder, requireColumns } from './seedSummary.ts';

export interface StepSizePanelsFigureOptions {
  /** The column with one panel per value, e.g. sync (lock, hogwild, leashed). */
  panel: string;
  panelOrder?: readonly string[];
  /** Column naming the step-size rule (default kind); one colour and dash each, the same in every panel. */
  kind?: string;
  kindOrder?: readonly string[];
  tau?: string;
  s?: string;
  /** The measured staleness distribution per panel (columns: the panel column, tau, p), drawn as grey bars on a right axis. */
  distribution?: ColumnTable;
  title?: string;
}

const id = (axis: 'x' | 'y', i: number) => (i === 1 ? axis : `${axis}${i}`);
const key = (axis: 'x' | 'y', i: number) => `${axis}axis${i === 1 ? '' : i}`;

/**
 * Step-size multipliers s(τ) = α(τ)/α derived from each panel's measured distribution, side by
 * side (one panel per sync mode): how the same rule (TAIL-τ, inverse, …) scales steps under the
 * lock, Hogwild! and Leashed-SGD, whose staleness differs. The panels share the s axis.
 */
export function stepSizePanelsFigure(curves: ColumnTable, opts: StepSizePanelsFigureOptions): FigureSpec {
  const kind = opts.kind ?? 'kind';
  const tau = opts.tau ?? 'tau';
  const s = opts.s ?? 's';
  requireColumns(curves, [opts.panel, kind, tau, s], 'stepSizePanelsFigure');
  if (opts.distribution) requireColumns(opts.distribution, [opts.panel, 'tau', 'p'], 'stepSizePanelsFigure distribution');
  const panels = groupOrder(curves, opts.panel, opts.panelOrder).map(String);
  const kinds = groupOrder(curves, kind, opts.kindOrder);
  const objects = curves.objects() as Record<string, unknown>[];
  const dist = (opts.distribution?.objects() ?? []) as Record<string, unknown>[];
  const n = panels.length;
  const gap = 0.04;
  const data: Trace[] = [];
  const layout: Layout = {
    xaxis: axisLayout({ column: tau, title: '' }),
    yaxis: axisLayout({ column: s, title: 's(τ) = α(τ)/α (step-size multiplier)' }),
    height: 440,
    margin: { t: opts.title ? 70 : 45, r: 60, b: 90, l: 65 },
    hovermode: 'closest',
    legend: { title: { text: 'step size' }, orientation: 'h', x: 0, y: -0.22, yanchor: 'top' },
    annotations: [] as unknown[],
  };
  if (opts.title) layout.title = { text: opts.title, x: 0.01, xanchor: 'left' };
  panels.forEach((p, j) => {
    const i = j + 1;
    const x0 = j / n + (j === 0 ? 0 : gap / 2);
    const x1 = (j + 1) / n - (j === n - 1 ? 0 : gap / 2);
    layout[key('x', i)] = { ...axisLayout({ column: tau, title: 'staleness τ (updates)' }), domain: [x0, x1], anchor: id('y', i) };
    layout[key('y', i)] = { ...axisLayout({ column: s, title: i === 1 ? 's(τ) = α(τ)/α (step-size multiplier)' : '' }), anchor: id('x', i), ...(i > 1 ? { matches: 'y', showticklabels: false } : {}) };
    (layout.annotations as unknown[]).push({ text: `<b>${p}</b>`, xref: 'paper', yref: 'paper', x: (x0 + x1) / 2, y: 1.0, xanchor: 'center', yanchor: 'bottom', showarrow: false });
    const bars = dist.filter((d) => String(d[opts.panel]) === p).sort((a, b) => (a.tau as number) - (b.tau as number));
    if (bars.length > 0) {
      const over = n + i;
      layout[key('y', over)] = { ...axisLayout({ column: 'p', title: i === n ? 'P(τ) measured' : '' }), overlaying: id('y', i), anchor: id('x', i), side: 'right', showgrid: false, rangemode: 'tozero', tickformat: '.2~f' };
      data.push({
        type: 'bar', name: 'P(τ) measured', x: bars.map((d) => d.tau as number), y: bars.map((d) => d.p as number),
        xaxis: id('x', i), yaxis: id('y', over), marker: { color: 'rgba(127,127,127,0.35)' },
        legendgroup: 'distribution', showlegend: i === 1, hovertemplate: `${p}: τ = %{x}, P = %{y:.3g}<extra></extra>`,
      });
    }
    kinds.forEach((k, c) => {
      const rows = objects.filter((r) => String(r[opts.panel]) === p && r[kind] === k).sort((a, b) => (a[tau] as number) - (b[tau] as number));
      if (rows.length === 0) return;
      const colour = seriesColour(c);
      data.push({
        type: 'scatter', name: String(k), mode: 'lines+markers',
        x: rows.map((r) => r[tau] as number), y: rows.map((r) => r[s] as number),
        xaxis: id('x', i), yaxis: id('y', i),
        line: { color: colour, width: 2, shape: 'hv', dash: seriesDash(c) }, marker: { color: colour, size: 5, symbol: seriesSymbol(c) },
        legendgroup: `kind-${c}`, showlegend: i === 1,
        hovertemplate: `${p}, ${String(k)}<br>τ = %{x}: s = %{y:.3g}<extra></extra>`,
      });
    });
  });
  return { data, layout };
}
