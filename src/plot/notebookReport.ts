import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { FigureSpec } from './figureSpec.ts';
import { writeAtomic } from '../results/atomicWrite.ts';
import { figureHtml, plotlyLibraryHtml } from './figureHtml.ts';
import { ChromiumMissingError, findChromium } from './figureImage.ts';
import { closeSharedSyncFigureRenderer, sharedSyncFigureRenderer } from './figureImageSync.ts';
import type { NotebookProfile } from './profile.ts';

/** What a notebook kernel offers to show rich output; tslab's `display` satisfies it. */
export interface HtmlDisplay {
  html(s: string): void;
  markdown(s: string): void;
}

export interface NotebookReportOptions {
  /** Notebook name without extension, e.g. "01-gap-aware"; names the output folder. */
  notebook: string;
  profile: NotebookProfile;
  /** tslab's `display` (import * as tslab from 'tslab'). */
  display: HtmlDisplay;
  /** Root of all reports; default $STALELAB_REPORTS_DIR, else <project>/reports. */
  reportsDir?: string;
  /** Rows of a table shown inline (all rows are saved). */
  previewRows?: number;
  /**
   * Also save every figure as SVG and PNG (rendered by headless Chromium; default true). Without
   * Chromium they are skipped with a one-line notice, unless STALELAB_REQUIRE_CHROMIUM=1 (CI),
   * where that is an error.
   */
  images?: boolean;
}

/** Set to 1 where a missing Chromium must fail a report rather than skip its SVG/PNG files. */
export const REQUIRE_CHROMIUM_ENV = 'STALELAB_REQUIRE_CHROMIUM';
const IMAGE_FORMATS = ['svg', 'png'] as const;

const MARKER = '.stalelab-report';

/**
 * Kept per kernel process, not per NotebookReport, so re-running a notebook's set-up cell (a new
 * report) changes nothing: the folders already cleared by this process, and per notebook the
 * figure whose output holds plotly.js (see libraryFor).
 */
const clearedDirs = new Set<string>();
const libraryHolder = new Map<string, string>();
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** <project>/reports, from this file's place in src/plot or dist/plot. */
function defaultReportsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reports');
}

/**
 * A notebook's output: shows figures, tables and computed prose inline (tslab display) and saves
 * every figure as plotly JSON and every table as CSV under reports/<notebook>/, each stamped with
 * the profile it came from. plotly.js is inlined once, before the first figure.
 */
export class NotebookReport {
  readonly dir: string;
  readonly profile: NotebookProfile;
  private readonly notebook: string;
  private readonly display: HtmlDisplay;
  private readonly previewRows: number;
  private readonly images: boolean;
  private imagesSkipped = false;
  private readonly written: string[] = [];

  constructor(opts: NotebookReportOptions) {
    if (!NAME.test(opts.notebook)) throw new Error(`NotebookReport: notebook name must be letters, digits, - or _, got "${opts.notebook}"`);
    this.notebook = opts.notebook;
    this.profile = opts.profile;
    this.display = opts.display;
    this.previewRows = opts.previewRows ?? 10;
    this.images = opts.images ?? true;
    const root = opts.reportsDir ?? process.env.STALELAB_REPORTS_DIR ?? defaultReportsDir();
    this.dir = join(resolve(root), opts.notebook);
    if (!clearedDirs.has(this.dir)) this.clearPreviousOutput();
    clearedDirs.add(this.dir);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, MARKER), `${JSON.stringify({ notebook: this.notebook, profile: this.profile })}\n`);
  }

  /** Remove the tables and figures a previous run left (only in a folder this class made), so no stale file survives a smaller profile. */
  private clearPreviousOutput(): void {
    if (!existsSync(join(this.dir, MARKER))) return;
    for (const f of readdirSync(this.dir)) {
      if (/\.(csv|json|svg|png)$/.test(f)) rmSync(join(this.dir, f));
    }
  }

  private path(name: string, ext: string): string {
    if (!NAME.test(name)) throw new Error(`NotebookReport: output name must be letters, digits, - or _, got "${name}"`);
    const p = join(this.dir, `${name}.${ext}`);
    // A name written again (a re-run cell) replaces its earlier version.
    if (!this.written.includes(p)) this.written.push(p);
    return p;
  }

  /**
   * Show a figure and save it as reports/<notebook>/<name>.json (plain plotly JSON, profile in
   * layout.meta), <name>.svg and <name>.png (see `images`). The images are rendered before this
   * returns, in one browser shared by every report of the process.
   */
  figure(name: string, figure: FigureSpec): void {
    const stamped: FigureSpec = { data: figure.data, layout: { ...figure.layout, meta: { notebook: this.notebook, profile: this.profile, figure: name } } };
    writeAtomic(this.path(name, 'json'), `${JSON.stringify(stamped)}\n`);
    this.display.html(this.libraryFor(name) + figureHtml(stamped, `stalelab-${this.notebook}-${name}`));
    this.saveImages(name, stamped);
  }

  private saveImages(name: string, figure: FigureSpec): void {
    if (!this.images || this.imagesSkipped) return;
    try {
      findChromium();
    } catch (e) {
      if (!(e instanceof ChromiumMissingError) || process.env[REQUIRE_CHROMIUM_ENV] === '1') throw e;
      this.imagesSkipped = true;
      this.display.markdown(`*Figures are saved as plotly JSON only, no SVG/PNG: ${e.message}.*`);
      return;
    }
    const renderer = sharedSyncFigureRenderer();
    for (const ext of IMAGE_FORMATS) renderer.save(figure, this.path(name, ext));
  }

  /** Close the browser that renders the figures' SVG/PNG now (it never keeps the process alive; a later figure starts another). */
  close(): void {
    closeSharedSyncFigureRenderer();
  }

  /**
   * plotly.js (4.8 MB) goes into the output of the notebook's first figure only. A cell's output
   * is replaced when the cell runs again, so the figure that holds the library embeds it again
   * when it is shown again; every other figure, in any cell, run any number of times, embeds
   * nothing: the notebook always holds exactly one copy.
   */
  private libraryFor(name: string): string {
    const holder = libraryHolder.get(this.dir);
    if (holder !== undefined && holder !== name) return '';
    libraryHolder.set(this.dir, name);
    return plotlyLibraryHtml();
  }

  /**
   * Save a table as reports/<notebook>/<name>.csv with a `profile` column added, show its first
   * rows, and return the stamped table.
   */
  table(name: string, table: ColumnTable, caption?: string): ColumnTable {
    const stamped = table.columnNames().includes('profile') ? table : table.derive({ profile: aq.escape(() => this.profile) });
    const file = this.path(name, 'csv');
    writeAtomic(file, stamped.toCSV());
    const rows = stamped.numRows();
    const shown = Math.min(rows, this.previewRows);
    const note = `${caption ? `${caption} — ` : ''}<code>${name}.csv</code>: ${rows} rows × ${stamped.numCols()} columns` + (shown < rows ? ` (first ${shown} shown)` : '');
    this.display.html(`<p><b>${note}</b></p>${stamped.toHTML({ limit: shown })}`);
    return stamped;
  }

  /** Show prose (Markdown). Numbers in it should come from the results, not be typed in. */
  markdown(text: string): void {
    this.display.markdown(text);
  }

  /** Files written so far, relative to the reports root. */
  files(): string[] {
    return this.written.map((p) => relative(resolve(this.dir, '..'), p));
  }
}
