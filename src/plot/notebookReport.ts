import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { FigureSpec } from './figureSpec.ts';
import { figureHtml, plotlyLibraryHtml } from './figureHtml.ts';
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
}

const MARKER = '.stalelab-report';
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
  private libraryShown = false;
  private readonly written: string[] = [];

  constructor(opts: NotebookReportOptions) {
    if (!NAME.test(opts.notebook)) throw new Error(`NotebookReport: notebook name must be letters, digits, - or _, got "${opts.notebook}"`);
    this.notebook = opts.notebook;
    this.profile = opts.profile;
    this.display = opts.display;
    this.previewRows = opts.previewRows ?? 10;
    const root = opts.reportsDir ?? process.env.STALELAB_REPORTS_DIR ?? defaultReportsDir();
    this.dir = join(resolve(root), opts.notebook);
    this.clearPreviousOutput();
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, MARKER), `${JSON.stringify({ notebook: this.notebook, profile: this.profile })}\n`);
  }

  /** Remove the CSV/JSON a previous run left (only in a folder this class made), so no stale file survives a smaller profile. */
  private clearPreviousOutput(): void {
    if (!existsSync(join(this.dir, MARKER))) return;
    for (const f of readdirSync(this.dir)) {
      if (f.endsWith('.csv') || f.endsWith('.json')) rmSync(join(this.dir, f));
    }
  }

  private path(name: string, ext: string): string {
    if (!NAME.test(name)) throw new Error(`NotebookReport: output name must be letters, digits, - or _, got "${name}"`);
    const p = join(this.dir, `${name}.${ext}`);
    if (this.written.includes(p)) throw new Error(`NotebookReport: "${name}.${ext}" was already written by this notebook`);
    this.written.push(p);
    return p;
  }

  /** Show a figure and save it as reports/<notebook>/<name>.json (plain plotly JSON, profile in layout.meta). */
  figure(name: string, figure: FigureSpec): void {
    const stamped: FigureSpec = { data: figure.data, layout: { ...figure.layout, meta: { notebook: this.notebook, profile: this.profile, figure: name } } };
    writeFileSync(this.path(name, 'json'), `${JSON.stringify(stamped)}\n`);
    const library = this.libraryShown ? '' : plotlyLibraryHtml();
    this.libraryShown = true;
    this.display.html(library + figureHtml(stamped, `stalelab-${this.notebook}-${name}`));
  }

  /**
   * Save a table as reports/<notebook>/<name>.csv with a `profile` column added, show its first
   * rows, and return the stamped table.
   */
  table(name: string, table: ColumnTable, caption?: string): ColumnTable {
    const stamped = table.columnNames().includes('profile') ? table : table.derive({ profile: aq.escape(() => this.profile) });
    const file = this.path(name, 'csv');
    writeFileSync(file, stamped.toCSV());
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
