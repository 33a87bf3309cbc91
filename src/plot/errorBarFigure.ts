import type { ColumnTable } from 'arquero';
import { baseLayout, type AxisColumn, type FigureSpec, type GroupColumn, type Trace } from './figureSpec.ts';
import { seriesColour } from './palette.ts';
import { colourSlots, groupOrder, summariseOverSeeds } from './seedSummary.ts';

export interface ErrorBarFigureOptions {
  /** e.g. the worker count N (use `log: true` for 1, 8, 32…). */
  x: AxisColumn;
  /** e.g. final test accuracy. */
  y: AxisColumn;
  group?: GroupColumn;
  seed?: string;
  title?: string;
}

/**
 * One summary value per run plotted against a setting: mean over seeds with ± sd error bars
 * (e.g. final accuracy vs N per rule). Points of a series are joined in x order.
 */
export function errorBarFigure(table: ColumnTable, opts: ErrorBarFigureOptions): FigureSpec {
  const rows = summariseOverSeeds(table, { x: opts.x.column, y: opts.y.column, group: opts.group?.column, seed: opts.seed });
  const data: Trace[] = [];
  const groups = groupOrder(table, opts.group?.column, opts.group?.order);
  const slots = colourSlots(groups, opts.group?.order);
  groups.forEach((g, k) => {
    const series = rows.filter((r) => r.group === g).sort((a, b) => a.x - b.x);
    if (series.length === 0) return;
    const colour = seriesColour(slots[k]);
    const name = g === null ? opts.y.title : String(g);
    data.push({
      type: 'scatter',
      name,
      x: series.map((r) => r.x),
      y: series.map((r) => r.mean),
      mode: 'lines+markers',
      marker: { color: colour, size: 8 },
      line: { color: colour, width: 1.5 },
      error_y: { type: 'data', array: series.map((r) => r.sd ?? 0), visible: true, color: colour, thickness: 1.5, width: 5 },
      customdata: series.map((r) => [r.sd ?? 0, r.n]),
      hovertemplate: `${name}<br>%{x}: %{y:.4g} ± %{customdata[0]:.2g} (n=%{customdata[1]})<extra></extra>`,
    });
  });
  const layout = baseLayout(opts.title, opts.x, opts.y, opts.group?.title);
  const xs = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
  // Tick exactly at the settings that were run (N = 1, 8, 32), not at plotly's round numbers.
  if (xs.length <= 12) Object.assign(layout.xaxis, { tickmode: 'array', tickvals: xs, ticktext: xs.map(String) });
  return { data, layout };
}
