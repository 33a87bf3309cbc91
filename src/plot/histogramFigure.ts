import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { baseLayout, type AxisColumn, type FigureSpec, type GroupColumn, type Trace } from './figureSpec.ts';
import { withLogTicks } from './logTicks.ts';
import { seriesColour } from './palette.ts';
import { colourSlots, groupOrder, requireColumns } from './seedSummary.ts';

export interface HistogramFigureOptions {
  /** The integer-valued quantity counted, e.g. staleness τ. */
  value: AxisColumn;
  group?: GroupColumn;
  /** Column holding a count per row (a histogram table); omitted: each row is one observation. */
  weight?: string;
  /** 'probability' (default) makes groups with different numbers of updates comparable. */
  normalise?: 'probability' | 'count';
  /** Values above this are counted in the last bar (labelled "≥ max") so a long tail stays visible. */
  clampAt?: number;
  title?: string;
  barmode?: 'overlay' | 'group';
  /** Log-scale y axis: staleness often has most mass at τ = 0 and a long, thin tail. */
  logY?: boolean;
}

/**
 * Histogram of an integer quantity per group, one bar per value. Counts are aggregated with
 * arquero (groupby + sum) from raw rows or from a precomputed count column.
 */
export function histogramFigure(table: ColumnTable, opts: HistogramFigureOptions): FigureSpec {
  const { value, group, weight, clampAt } = opts;
  requireColumns(table, [value.column, group?.column, weight], 'histogramFigure');
  const normalise = opts.normalise ?? 'probability';
  const counted = table
    .filter(aq.escape((d: Record<string, unknown>) => Number.isFinite(d[value.column])))
    .derive({
      _g: aq.escape((d: Record<string, unknown>) => (group === undefined ? null : (d[group.column] as string | number))),
      _v: aq.escape((d: Record<string, unknown>) => {
        const v = Math.round(d[value.column] as number);
        return clampAt === undefined ? v : Math.min(v, clampAt);
      }),
      _w: aq.escape((d: Record<string, unknown>) => (weight === undefined ? 1 : Number(d[weight]))),
    })
    .groupby('_g', '_v')
    .rollup({ count: aq.op.sum('_w') })
    .orderby('_v');
  const rows = counted.objects() as { _g: string | number | null; _v: number; count: number }[];

  const data: Trace[] = [];
  const groups = groupOrder(table, group?.column, group?.order);
  const slots = colourSlots(groups, group?.order);
  groups.forEach((g, k) => {
    const series = rows.filter((r) => r._g === g);
    if (series.length === 0) return;
    const total = series.reduce((s, r) => s + r.count, 0);
    const colour = seriesColour(slots[k]);
    const name = g === null ? value.title : String(g);
    data.push({
      type: 'bar',
      name,
      x: series.map((r) => r._v),
      y: series.map((r) => (normalise === 'probability' ? r.count / total : r.count)),
      marker: { color: colour },
      opacity: opts.barmode === 'group' ? 1 : 0.6,
      customdata: series.map((r) => r.count),
      hovertemplate: `${name}<br>${value.column} = %{x}: %{y:.3g} (%{customdata} updates)<extra></extra>`,
    });
  });
  const y: AxisColumn = { column: normalise, title: normalise === 'probability' ? 'fraction of updates' : 'updates', log: opts.logY };
  const layout = baseLayout(opts.title, value, y, group?.title);
  layout.barmode = opts.barmode ?? 'overlay';
  layout.bargap = 0.05;
  if (clampAt !== undefined) {
    layout.annotations = [{ text: `last bar: ${value.column} ≥ ${clampAt}`, xref: 'paper', yref: 'paper', x: 1, y: 1.02, showarrow: false, xanchor: 'right', yanchor: 'bottom', font: { size: 11 } }];
  }
  return withLogTicks({ data, layout });
}
