import type { ColumnTable } from 'arquero';
import { baseLayout, type AxisColumn, type FigureSpec, type GroupColumn, type Trace } from './figureSpec.ts';
import { withLogTicks } from './logTicks.ts';
import { seriesColour, seriesDash, translucent } from './palette.ts';
import { colourSlots, groupOrder, summariseOverSeeds } from './seedSummary.ts';

export interface CurveFigureOptions {
  x: AxisColumn;
  y: AxisColumn;
  group?: GroupColumn;
  /** Column identifying seeds: the line is the mean over seeds, the band its 95 % t-interval. */
  seed?: string;
  /** Summarise x into this many equal-width bins (see summariseOverSeeds). */
  bins?: number;
  title?: string;
  mode?: 'lines' | 'lines+markers';
}

/** A log axis cannot show mean − ci ≤ 0: the band's lower edge then stops at 1/1000 of the mean. */
function lowerEdge(mean: number, ci: number, log: boolean | undefined): number {
  const lower = mean - ci;
  return log && lower <= 0 ? mean * 1e-3 : lower;
}

/** The legend's note on what line and band are. */
export const INTERVAL_NOTE = 'line: mean over seeds; band: 95 % t-interval';

/**
 * Curves of y against x, one per group, as the mean over seeds with a shaded 95 % t-interval
 * band (meanInterval) where more than one seed is behind a point. The band is a closed polygon
 * (upper edge forward, lower edge back) drawn in the series' colour and grouped with its line in
 * the legend. Each series has its own dash, so series that coincide stay visible.
 */
export function curveFigure(table: ColumnTable, opts: CurveFigureOptions): FigureSpec {
  const rows = summariseOverSeeds(table, { x: opts.x.column, y: opts.y.column, group: opts.group?.column, seed: opts.seed, bins: opts.bins });
  const data: Trace[] = [];
  const groups = groupOrder(table, opts.group?.column, opts.group?.order);
  const slots = colourSlots(groups, opts.group?.order);
  groups.forEach((g, k) => {
    const series = rows.filter((r) => r.group === g);
    if (series.length === 0) return;
    const colour = seriesColour(slots[k]);
    const name = g === null ? opts.y.title : String(g);
    const legendgroup = `series-${k}`;
    const banded = series.filter((r) => r.ci !== null);
    if (banded.length > 0) {
      data.push({
        type: 'scatter',
        name: `${name} 95 % CI`,
        x: [...banded.map((r) => r.x), ...banded.map((r) => r.x).reverse()],
        y: [...banded.map((r) => r.mean + (r.ci as number)), ...banded.map((r) => lowerEdge(r.mean, r.ci as number, opts.y.log)).reverse()],
        mode: 'lines',
        fill: 'toself',
        fillcolor: translucent(colour, 0.2),
        line: { width: 0, color: colour },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup,
      });
    }
    data.push({
      type: 'scatter',
      name,
      x: series.map((r) => r.x),
      y: series.map((r) => r.mean),
      mode: opts.mode ?? 'lines',
      line: { color: colour, width: 2, dash: seriesDash(k) },
      customdata: series.map((r) => [r.ci ?? 0, r.n]),
      hovertemplate: `${name}<br>%{x}: %{y:.4g} ± %{customdata[0]:.2g} (95 % CI, %{customdata[1]} seeds)<extra></extra>`,
      legendgroup,
    });
  });
  const banded = data.some((t) => t.fill === 'toself');
  const legend = banded ? (opts.group ? `${opts.group.title}<br><sub>${INTERVAL_NOTE}</sub>` : INTERVAL_NOTE) : opts.group?.title;
  return withLogTicks({ data, layout: baseLayout(opts.title, opts.x, opts.y, legend) });
}
