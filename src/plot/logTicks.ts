import type { FigureSpec, Trace } from './figureSpec.ts';

/** A tick label for v: plain decimals from 0.001 to 10000, powers of ten beyond (10⁻⁵, not plotly's "10µ"). */
function label(v: number): string {
  const k = Math.floor(Math.log10(v) + 1e-9);
  const mantissa = Math.round(v / 10 ** k);
  if (k >= -3 && k <= 4) return String(Number(v.toPrecision(3)));
  const power = `10<sup>${k}</sup>`;
  return mantissa === 1 ? power : `${mantissa}·${power}`;
}

/** Round ticks (1, 2 or 5 × 10^k apart, three to six of them) inside a range narrower than one step of 1..9. */
function evenTicks(lo: number, hi: number): number[] {
  if (hi === lo) return [lo];
  const raw = (hi - lo) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((d) => (hi - lo) / d <= 6) as number;
  const vals: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi * (1 + 1e-12); v += step) vals.push(Number(v.toPrecision(12)));
  return vals;
}

/**
 * Ticks for a log axis over positive values from lo to hi: every decade (every second one past 8
 * decades); where fewer than two decades fall inside, also 2× and 5×; where still fewer than two,
 * every integer multiple, and in a still narrower range round, evenly spaced values. Labels are numbers or powers of ten, never plotly's minor-digit labels.
 */
export function logTicks(lo: number, hi: number): { tickvals: number[]; ticktext: string[] } {
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) throw new RangeError(`logTicks: need 0 < lo ≤ hi, got ${lo}, ${hi}`);
  const k0 = Math.floor(Math.log10(lo)) - 1;
  const k1 = Math.ceil(Math.log10(hi)) + 1;
  const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const at = (mantissas: number[], step = 1) => {
    const vals: number[] = [];
    for (let k = k0; k <= k1; k += step) for (const m of mantissas) vals.push(Number((m * 10 ** k).toPrecision(12)));
    return vals.filter(inside);
  };
  let tickvals = at([1]);
  if (tickvals.length > 9) tickvals = tickvals.filter((v) => Math.round(Math.log10(v)) % 2 === 0);
  if (tickvals.length < 2) tickvals = at([1, 2, 5]);
  if (tickvals.length < 2) tickvals = at([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (tickvals.length < 2) tickvals = evenTicks(lo, hi);
  return { tickvals, ticktext: tickvals.map(label) };
}

/** The values a trace puts on its x or y axis, bars and error bars included. */
function traceValues(t: Trace, axis: 'x' | 'y'): number[] {
  const base = (axis === 'x' ? t.x : t.y).filter((v): v is number => typeof v === 'number');
  const err = (axis === 'y' ? t.error_y : t.error_x) as { array?: number[] } | undefined;
  if (!err?.array) return base;
  return base.flatMap((v, i) => [v, v - (err.array![i] ?? 0), v + (err.array![i] ?? 0)]);
}

/**
 * Give every log axis of the figure explicit decade ticks (see logTicks) computed from the data
 * drawn on it, unless the builder already chose its ticks (e.g. at the worker counts that ran).
 */
export function withLogTicks(figure: FigureSpec): FigureSpec {
  const layout = figure.layout as Record<string, unknown>;
  for (const key of Object.keys(layout)) {
    const m = /^([xy])axis(\d*)$/.exec(key);
    const axis = layout[key] as { type?: string; tickvals?: unknown } | undefined;
    if (!m || !axis || axis.type !== 'log' || axis.tickvals !== undefined) continue;
    const id = `${m[1]}${m[2]}`;
    const values = figure.data
      .filter((t) => ((t[m[1] === 'x' ? 'xaxis' : 'yaxis'] as string | undefined) ?? m[1]) === id)
      .flatMap((t) => traceValues(t, m[1] as 'x' | 'y'))
      .filter((v) => Number.isFinite(v) && v > 0);
    if (values.length === 0) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    Object.assign(axis, { tickmode: 'array', ...logTicks(lo, hi) });
  }
  return figure;
}
