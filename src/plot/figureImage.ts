import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ConfigError } from '../config/validate.ts';
import { writeAtomic } from '../results/atomicWrite.ts';
import type { FigureSpec } from './figureSpec.ts';

const require = createRequire(import.meta.url);

/** The static formats a figure can be saved in. */
export const FIGURE_FORMATS = ['svg', 'png', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];

export interface FigureImageOptions {
  format: FigureFormat;
  /** CSS pixels; default the figure's layout.width, else 720. */
  width?: number;
  /** CSS pixels; default the figure's layout.height, else 420. */
  height?: number;
  /** PNG only: device pixels per CSS pixel (default 2, for print and high-density screens). */
  scale?: number;
}

/** Environment variable naming the Chromium (or Chrome) binary to render with. */
export const CHROMIUM_ENV = 'STALELAB_CHROMIUM';
/** Where Debian, Ubuntu and Google's packages put the browser, in the order tried. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'] as const;
export const CHROMIUM_INSTALL = 'sudo apt-get install -y chromium (Debian/Ubuntu), or bash scripts/setup-swiftshader.sh';

/** No browser to render figures with: names where it looked and how to install one. */
export class ChromiumMissingError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumMissingError';
  }
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** The Chromium binary to render with ($STALELAB_CHROMIUM, else the first of CHROMIUM_CANDIDATES that exists). */
export function findChromium(): string {
  const given = process.env[CHROMIUM_ENV];
  if (given !== undefined && given !== '') {
    if (isFile(given)) return given;
    throw new ChromiumMissingError(`static figure export needs Chromium: ${CHROMIUM_ENV}=${given} is not a file; install it with ${CHROMIUM_INSTALL}, or point ${CHROMIUM_ENV} at a chromium or chrome binary`);
  }
  const found = CHROMIUM_CANDIDATES.find(isFile);
  if (found) return found;
  throw new ChromiumMissingError(`static figure export needs Chromium, and none was found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); install it with ${CHROMIUM_INSTALL}, or set ${CHROMIUM_ENV}=/path/to/chromium`);
}

export function chromiumAvailable(): boolean {
  try {
    findChromium();
    return true;
  } catch (e) {
    if (e instanceof ChromiumMissingError) return false;
    throw e;
  }
}

/** The format a file name asks for (.svg, .png, .pdf). */
export function formatOfPath(path: string): FigureFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if ((FIGURE_FORMATS as readonly string[]).includes(ext)) return ext as FigureFormat;
  throw new ConfigError(`${path}: a figure is saved as ${FIGURE_FORMATS.map((f) => `.${f}`).join(', ')} (the extension picks the format), got "${extname(path) || 'no extension'}"`);
}

interface Resolved {
  format: FigureFormat;
  width: number;
  height: number;
  scale: number;
}

function dimension(value: unknown, field: string, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 10 || v > 10000) throw new ConfigError(`figure image: ${field} must be an integer number of pixels from 10 to 10000, got ${JSON.stringify(v)}`);
  return v;
}

function resolveOptions(fig: FigureSpec, opts: FigureImageOptions): Resolved {
  if (!(FIGURE_FORMATS as readonly string[]).includes(opts.format)) throw new ConfigError(`figure image: format must be one of ${FIGURE_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
  const scale = opts.scale ?? (opts.format === 'png' ? 2 : 1);
  if (typeof scale !== 'number' || !(scale > 0 && scale <= 10)) throw new ConfigError(`figure image: scale must be a number in (0, 10], got ${JSON.stringify(scale)}`);
  return {
    format: opts.format,
    width: dimension(opts.width ?? (typeof fig.layout.width === 'number' ? fig.layout.width : undefined), 'width', 720),
    height: dimension(opts.height ?? (typeof fig.layout.height === 'number' ? fig.layout.height : undefined), 'height', 420),
    scale,
  };
}

/** What plotly.js's toImage returns, as bytes. */
function dataUrlBytes(url: string): Buffer {
  const comma = url.indexOf(',');
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  return head.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
}

const PAGE = '<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0"><div id="figure"></div></body></html>';

/**
 * Renders figures in one headless Chromium (through playwright-core, which drives the system's
 * browser and downloads none), with the same plotly.js bundle the notebooks inline: SVG and PNG
 * are plotly's own toImage, PDF is the SVG printed by Chromium (vector, one page of the figure's
 * size). Launch once, render many, close.
 */
export class FigureRenderer {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async launch(): Promise<FigureRenderer> {
    const executablePath = findChromium();
    const { chromium } = await import('playwright-core');
    // Signals stay the host's: playwright's own SIGINT handler would exit the process (a
    // notebook kernel on its interrupt button, a CLI before it saved its rows).
    const browser = await chromium.launch({ executablePath, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, args: ['--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage();
      await page.setContent(PAGE);
      await page.addScriptTag({ path: require.resolve('plotly.js-dist-min') });
      return new FigureRenderer(browser, page);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /** The figure as SVG, PNG or PDF bytes. Calls are served one at a time (they share the page). */
  render(fig: FigureSpec, opts: FigureImageOptions): Promise<Buffer> {
    const o = resolveOptions(fig, opts);
    const run = this.queue.then(() => this.draw(fig, o));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async draw(fig: FigureSpec, o: Resolved): Promise<Buffer> {
    const url = await this.page.evaluate(
      async ({ data, layout, width, height, format, scale }) => {
        // Runs in the page, where plotly.js is a global (this project's lib has no DOM types).
        const Plotly = (globalThis as unknown as { Plotly: { toImage(fig: unknown, opts: unknown): Promise<string> } }).Plotly;
        return Plotly.toImage({ data, layout: { ...layout, width, height }, config: { staticPlot: true } }, { format, width, height, scale });
      },
      { data: fig.data, layout: fig.layout, width: o.width, height: o.height, format: o.format === 'pdf' ? 'svg' : o.format, scale: o.scale },
    );
    const bytes = dataUrlBytes(url);
    return o.format === 'pdf' ? this.printPdf(bytes.toString('utf8'), o) : bytes;
  }

  private async printPdf(svg: string, o: Resolved): Promise<Buffer> {
    const page = await this.browser.newPage();
    try {
      const style = `@page{size:${o.width}px ${o.height}px;margin:0}html,body{margin:0;padding:0}svg{display:block}`;
      await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${style}</style></head><body>${svg}</body></html>`);
      return await page.pdf({ width: `${o.width}px`, height: `${o.height}px`, printBackground: true, pageRanges: '1', margin: { top: '0', right: '0', bottom: '0', left: '0' } });
    } finally {
      await page.close();
    }
  }

  /** Save the figure to `path` atomically, in the format its extension names. */
  async save(fig: FigureSpec, path: string, opts: Omit<FigureImageOptions, 'format'> = {}): Promise<void> {
    const bytes = await this.render(fig, { ...opts, format: formatOfPath(path) });
    writeAtomic(path, bytes);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.browser.close();
  }
}

/** Time a shared renderer stays open after its last figure, so a burst of figures shares one browser. */
const SHARED_IDLE_MS = 500;
let shared: { renderer: Promise<FigureRenderer>; busy: number; timer?: NodeJS.Timeout } | null = null;

async function withShared<T>(use: (r: FigureRenderer) => Promise<T>): Promise<T> {
  if (!shared) {
    const renderer = FigureRenderer.launch();
    shared = { renderer, busy: 0 };
    renderer.catch(() => {
      if (shared?.renderer === renderer) shared = null;
    });
  }
  const s = shared;
  clearTimeout(s.timer);
  s.busy++;
  try {
    return await use(await s.renderer);
  } finally {
    s.busy--;
    if (s.busy === 0 && shared === s) s.timer = setTimeout(() => void closeFigureRenderer(), SHARED_IDLE_MS);
  }
}

/** Close the renderer figureToImage and saveFigure share now (it also closes itself when idle). */
export async function closeFigureRenderer(): Promise<void> {
  const s = shared;
  if (!s) return;
  shared = null;
  clearTimeout(s.timer);
  const renderer = await s.renderer.catch(() => null);
  await renderer?.close();
}

/**
 * A figure as SVG, PNG or PDF bytes, rendered by headless Chromium. Calls close together share one
 * browser, which closes itself half a second after the last; a ChromiumMissingError says what
 * to install when there is none.
 */
export async function figureToImage(fig: FigureSpec, opts: FigureImageOptions): Promise<Buffer> {
  resolveOptions(fig, opts);
  return withShared((r) => r.render(fig, opts));
}

/** Save a figure as path (.svg, .png or .pdf: the extension picks the format), written atomically. */
export async function saveFigure(fig: FigureSpec, path: string, opts: Omit<FigureImageOptions, 'format'> = {}): Promise<void> {
  const format = formatOfPath(path);
  const bytes = await figureToImage(fig, { ...opts, format });
  writeAtomic(path, bytes);
}
