/** plotly's default colour cycle, spelled out so a series' line, band and bars share one colour. */
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

export function seriesColour(index: number): string {
  return COLOURS[index % COLOURS.length];
}

/** The same colour with transparency, for error bands. */
export function translucent(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash', 'longdashdot'] as const;
const SYMBOLS = ['circle', 'square', 'diamond', 'triangle-up', 'x', 'cross', 'triangle-down', 'star'] as const;

/**
 * A line style per series, so two series that coincide (DANA-Zero and DANA-Slim, the same rule on
 * two engines) both stay visible: the later one's dashes show the earlier one's colour between them.
 */
export function seriesDash(index: number): string {
  return DASHES[index % DASHES.length];
}

/** A marker symbol per series, for the same reason as seriesDash. */
export function seriesSymbol(index: number): string {
  return SYMBOLS[index % SYMBOLS.length];
}
