import type { ColumnTable } from 'arquero';
import { stalenessCells } from '../results/matchedStaleness.ts';
import { baseLayout, type AxisColumn, type FigureSpec, type Trace } from './figureSpec.ts';
import { seriesColour } from './palette.ts';

export interface MatchedStalenessFigureOptions {
  /** The column naming the rule (one colour each). */
  rule: string;
  /** The column naming the measured runs' schedule, e.g. sync (one marker symbol each). */
  mode: string;
  metric: AxisColumn;
  /** What a diverged run counts as (see atMatchedStaleness). */
  diverged: number;
  title?: string;
}

const SYMBOLS = ['circle', 'diamond', 'square', 'triangle-up', 'cross', 'x'] as const;

/**
 * A result against mean staleness: per rule, the simulator's cells as a dashed line (one point per
 * worker count) and the measured cells (per mode and worker count, averaged over seeds) as markers
 * of the same colour, so a marker above its rule's line did better than the simulator at that τ.
 */
export function matchedStalenessFigure(measured: ColumnTable, sim: ColumnTable, opts: MatchedStalenessFigureOptions): FigureSpec {
  const metric = { metric: opts.metric.column, diverged: opts.diverged };
  const real = stalenessCells(measured, [opts.rule, opts.mode], metric, 'measured runs');
  const simulated = stalenessCells(sim, [opts.rule], metric, 'sim runs');
  const rules = [...new Set(real.map((c) => String(c.key[opts.rule])))];
  const modes = [...new Set(real.map((c) => String(c.key[opts.mode])))];
  const data: Trace[] = [];
  rules.forEach((rule, k) => {
    const colour = seriesColour(k);
    const line = simulated.filter((c) => String(c.key[opts.rule]) === rule).sort((a, b) => a.tau - b.tau);
    data.push({
      type: 'scatter', name: `${rule} · sim`, mode: 'lines+markers',
      x: line.map((c) => c.tau), y: line.map((c) => c.metric),
      line: { color: colour, dash: 'dash', width: 1.5 }, marker: { color: colour, size: 6, symbol: 'circle-open' },
      customdata: line.map((c) => [c.workers, c.runs, c.divergedRuns]),
      hovertemplate: `${rule}, simulator N=%{customdata[0]}<br>mean τ %{x:.3g}: %{y:.4g} (%{customdata[1]} runs, %{customdata[2]} diverged)<extra></extra>`,
    });
    modes.forEach((mode, m) => {
      const cells = real.filter((c) => String(c.key[opts.rule]) === rule && String(c.key[opts.mode]) === mode).sort((a, b) => a.workers - b.workers);
      if (cells.length === 0) return;
      data.push({
        type: 'scatter', name: `${rule} · ${mode}`, mode: 'markers',
        x: cells.map((c) => c.tau), y: cells.map((c) => c.metric),
        marker: { color: colour, size: 10, symbol: SYMBOLS[m % SYMBOLS.length], line: { color: '#222', width: 0.5 } },
        customdata: cells.map((c) => [c.workers, c.runs, c.divergedRuns]),
        hovertemplate: `${rule}, ${mode} T=%{customdata[0]}<br>mean τ %{x:.3g}: %{y:.4g} (%{customdata[1]} runs, %{customdata[2]} diverged)<extra></extra>`,
      });
    });
  });
  const layout = baseLayout(opts.title, { column: 'staleness_mean', title: 'mean staleness τ (measured)' }, opts.metric, `${opts.rule} · ${opts.mode} (markers) or sim (dashed)`);
  return { data, layout };
}
