import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { ConfigError } from '../config/validate.ts';
import { ensureDir } from '../results/outputDir.ts';
import { loadRun, RUN_FILES } from '../results/runDir.ts';
import { FIGURE_FORMATS, FigureRenderer, findChromium, type FigureFormat } from '../plot/figureImage.ts';
import { runFigures, sweepFigures, type StandardFigures } from '../plot/standardFigures.ts';
import type { CommandIo } from './runCommand.ts';

export interface PlotFlags {
  format?: string;
  out?: string;
}

/** The sweep's runs table, as `stalelab sweep` writes it beside the run directories. */
const SWEEP_RUNS = 'runs.csv';

export function parseFormats(list: string | undefined): FigureFormat[] {
  if (list === undefined) return [...FIGURE_FORMATS];
  const formats = list.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== '');
  const bad = formats.filter((f) => !(FIGURE_FORMATS as readonly string[]).includes(f));
  if (bad.length || formats.length === 0) throw new ConfigError(`plot --format: got ${JSON.stringify(list)}; give a comma-separated list of ${FIGURE_FORMATS.join(', ')}`);
  return [...new Set(formats)] as FigureFormat[];
}

/** The standard figures of DIR: a saved run (run.json) or a sweep (runs.csv). */
function figuresOf(dir: string): { kind: 'run' | 'sweep'; figures: StandardFigures } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`plot: ${JSON.stringify(dir)} is not a directory (give a run's --out or a sweep's --out)`);
  if (existsSync(join(dir, RUN_FILES.record))) return { kind: 'run', figures: runFigures(loadRun(dir)) };
  if (existsSync(join(dir, SWEEP_RUNS))) return { kind: 'sweep', figures: sweepFigures(aq.fromCSV(readFileSync(join(dir, SWEEP_RUNS), 'utf8'))) };
  throw new ConfigError(`plot: ${dir} holds neither a saved run (${RUN_FILES.record}) nor a sweep (${SWEEP_RUNS}); give the --out of stalelab run or stalelab sweep`);
}

/**
 * `stalelab plot DIR`: the standard figures of a saved run (test loss and accuracy, minibatch
 * loss, staleness histogram) or of a sweep (final test accuracy and loss against workers per
 * rule, over seeds), saved as SVG, PNG and/or PDF in DIR/figures (or --out), rendered by one
 * headless Chromium.
 */
export async function plotCommand(dir: string, flags: PlotFlags, io: CommandIo): Promise<number> {
  const formats = parseFormats(flags.format);
  findChromium();
  const { kind, figures } = figuresOf(dir);
  if (figures.figures.length === 0) throw new ConfigError(`plot: nothing to draw in ${dir}: ${figures.skipped.join('; ')}`);
  const out = flags.out ?? join(dir, 'figures');
  ensureDir(out, { flag: '--out' });
  const renderer = await FigureRenderer.launch();
  const written: string[] = [];
  try {
    for (const { name, figure } of figures.figures) {
      for (const format of formats) {
        const path = join(out, `${name}.${format}`);
        await renderer.save(figure, path);
        written.push(path);
      }
    }
  } finally {
    await renderer.close();
  }
  for (const s of figures.skipped) io.out.write(`plot: skipped ${s}\n`);
  io.out.write(`plot: ${kind} ${dir}: ${figures.figures.length} figures (${figures.figures.map((f) => f.name).join(', ')}) as ${formats.join(', ')} in ${out}\n`);
  for (const p of written) io.out.write(`  ${p}\n`);
  return 0;
}
