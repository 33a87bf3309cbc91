/**
 * Plain plotly.js figure JSON: what `Plotly.newPlot(div, data, layout, config)` takes. Kept as
 * loose records (plotly's attribute tree is huge) with the few fields our builders set typed, so a
 * figure can be saved as JSON, asserted on in tests and rendered anywhere plotly.js runs.
 */
export interface Trace {
  type: 'scatter' | 'bar';
  name?: string;
  x: (number | string)[];
  y: number[];
  mode?: 'lines' | 'markers' | 'lines+markers';
  [attribute: string]: unknown;
}

export interface AxisLayout {
  title: { text: string };
  type?: 'linear' | 'log' | 'category';
  [attribute: string]: unknown;
}

export interface Layout {
  title?: { text: string; [attribute: string]: unknown };
  xaxis: AxisLayout;
  yaxis: AxisLayout;
  [attribute: string]: unknown;
}

export interface FigureSpec {
  data: Trace[];
  layout: Layout;
}

/** A table column plotted on an axis; `title` should name the unit, e.g. "time (simulated s)". */
export interface AxisColumn {
  column: string;
  title: string;
  /** Log-scale axis (e.g. worker counts 1, 8, 32). */
  log?: boolean;
}

/** The column that splits rows into coloured series (rule, worker count, sync mode…). */
export interface GroupColumn {
  column: string;
  /** Legend title. */
  title: string;
  /** Series order; default: order of first appearance in the table. */
  order?: readonly (string | number)[];
}

export function axisLayout(axis: AxisColumn): AxisLayout {
  return { title: { text: axis.title }, type: axis.log ? 'log' : 'linear', zeroline: false };
}

export function baseLayout(title: string | undefined, x: AxisColumn, y: AxisColumn, legendTitle?: string): Layout {
  const layout: Layout = {
    xaxis: axisLayout(x),
    yaxis: axisLayout(y),
    margin: { t: title ? 50 : 20, r: 20, b: 55, l: 65 },
    hovermode: 'closest',
    height: 420,
  };
  // Left-aligned so a long title does not run under plotly's mode bar (top right).
  if (title) layout.title = { text: title, x: 0.01, xanchor: 'left' };
  if (legendTitle) layout.legend = { title: { text: legendTitle } };
  return layout;
}
