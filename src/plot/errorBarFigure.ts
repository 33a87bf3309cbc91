import type { ColumnTable } from 'arquero';
import { baseLayout, type AxisColumn, type FigureSpec, type GroupColumn, type Trace } from './figureSpec.ts';
import { withLogTicks } from './logTicks.ts';
import { seriesColour, seriesDash, seriesSymbol } from './palette.ts';
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

/** The legend's note on what points and bars are. */
export const ERROR_BAR_NOTE = 'mean over seeds; bars: 95 % t-interval';

/**
 * One summary value per run plotted against a setting: mean over seeds with 95 % t-interval
 * error bars (meanInterval; e.g. final accuracy vs N per rule). Points of a series are joined in
 * x order; each series has its own marker and dash, so series that coincide stay visible.
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
      marker: { color: colour, size: 8, symbol: seriesSymbol(k) },
      line: { color: colour, width: 1.5, dash: seriesDash(k) },
      error_y: { type: 'data', array: series.map((r) => r.ci ?? 0), visible: true, color: colour, thickness: 1.5, width: 5 },
      customdata: series.map((r) => [r.ci ?? 0, r.n]),
      hovertemplate: `${name}<br>%{x}: %{y:.4g} ± %{customdata[0]:.2g} (95 % CI, %{customdata[1]} seeds)<extra></extra>`,
    });
  });
  const multi = rows.some((r) => r.n > 1);
  const legend = multi ? (opts.group ? `${opts.group.title}<br><sub>${ERROR_BAR_NOTE}</sub>` : ERROR_BAR_NOTE) : opts.group?.title;
  const layout = baseLayout(opts.title, opts.x, opts.y, legend);
  const xs = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
  // Tick exactly at the settings that were run (N = 1, 8, 32), not at plotly's round numbers.
  if (xs.length <= 12) Object.assign(layout.xaxis, { tickmode: 'array', tickvals: xs, ticktext: xs.map(String) });
  return withLogTicks({ data, layout });
}
