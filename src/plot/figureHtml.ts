import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FigureSpec } from './figureSpec.ts';

const require = createRequire(import.meta.url);

/** JSON safe to put inside a <script> element (no "</script>", no line separators). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The whole plotly.js bundle (plotly.js-dist-min, ≈4.8 MB) as one <script> element. Inlined once
 * per notebook so the executed notebook and its nbconvert HTML render offline, with no CDN.
 */
export function plotlyLibraryHtml(): string {
  const source = readFileSync(require.resolve('plotly.js-dist-min'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return `<script type="text/javascript">${source}</script>`;
}

export function plotlyVersion(): string {
  return (require('plotly.js-dist-min/package.json') as { version: string }).version;
}

/**
 * A <div> and the script that draws `figure` into it. The script waits for window.Plotly, because
 * in a reopened notebook outputs may be rendered before the library output has run.
 */
export function figureHtml(figure: FigureSpec, divId: string): string {
  if (!/^[A-Za-z][\w-]*$/.test(divId)) throw new Error(`figureHtml: divId must be letters, digits, - or _, got "${divId}"`);
  const height = typeof figure.layout.height === 'number' ? figure.layout.height : 420;
  const config = { responsive: true, displaylogo: false };
  return [
    `<div id="${divId}" class="stalelab-plotly plotly-graph-div" style="width:100%;height:${height}px;"></div>`,
    '<script type="text/javascript">',
    '(function draw(tries) {',
    `  var el = document.getElementById(${scriptJson(divId)});`,
    '  if (window.Plotly && el) {',
    `    window.Plotly.newPlot(el, ${scriptJson(figure.data)}, ${scriptJson(figure.layout)}, ${scriptJson(config)});`,
    '  } else if (tries < 200) {',
    '    setTimeout(function () { draw(tries + 1); }, 50);',
    '  }',
    '})(0);',
    '</script>',
  ].join('\n');
}
