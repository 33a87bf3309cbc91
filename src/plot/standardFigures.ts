import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { RunResult } from '../run/runRecord.ts';
import { curveFigure } from './curveFigure.ts';
import { errorBarFigure } from './errorBarFigure.ts';
import type { FigureSpec } from './figureSpec.ts';
import { histogramFigure } from './histogramFigure.ts';

/** A figure with the file name (no extension) it is saved under. */
export interface NamedFigure {
  name: string;
  figure: FigureSpec;
}

/** The figures of one run or sweep, and why any standard figure was left out. */
export interface StandardFigures {
  figures: NamedFigure[];
  skipped: string[];
}

const finiteIn = (t: ColumnTable, column: string) => t.columnNames().includes(column) && Array.from(t.array(column) as ArrayLike<unknown>).some((v) => typeof v === 'number' && Number.isFinite(v));

/**
 * A saved run's standard figures: test loss and test accuracy against updates (the evals
 * table), the minibatch loss of every logged update, and the staleness histogram. A figure
 * whose data the run lacks (no test split, an objective without accuracy) is skipped, saying why.
 */
export function runFigures(run: Pick<RunResult, 'updates' | 'evals' | 'record'>): StandardFigures {
  const figures: NamedFigure[] = [];
  const skipped: string[] = [];
  const label = `${run.record.summary?.rule ?? run.record.engine} · N=${run.record.summary?.workers ?? '?'} · seed ${run.record.seed}`;
  const test = run.evals.columnNames().includes('split') ? run.evals.filter(aq.escape((d: { split: string }) => d.split === 'test')) : run.evals.slice(0, 0);
  for (const [metric, title] of [
    ['loss', 'test loss'],
    ['accuracy', 'test accuracy'],
  ] as const) {
    if (!finiteIn(test, metric)) {
      skipped.push(`test_${metric}: the evals table has no test ${metric} (evaluated splits: ${[...new Set(Array.from(run.evals.columnNames().includes('split') ? (run.evals.array('split') as ArrayLike<string>) : []))].join(', ') || 'none'})`);
      continue;
    }
    figures.push({ name: `test_${metric}`, figure: curveFigure(test, { x: { column: 'step', title: 'updates' }, y: { column: metric, title }, mode: 'lines+markers', title: `${title} — ${label}` }) });
  }
  if (finiteIn(run.updates, 'loss')) {
    figures.push({ name: 'minibatch_loss', figure: curveFigure(run.updates, { x: { column: 'step', title: 'updates' }, y: { column: 'loss', title: 'minibatch loss' }, title: `minibatch loss of the logged updates — ${label}` }) });
  } else skipped.push('minibatch_loss: the updates table has no finite loss');
  if (finiteIn(run.updates, 'staleness')) {
    figures.push({ name: 'staleness', figure: histogramFigure(run.updates, { value: { column: 'staleness', title: 'staleness τ (updates)' }, title: `staleness of the logged updates — ${label}` }) });
  } else skipped.push('staleness: the updates table has no staleness');
  return { figures, skipped };
}

/**
 * A sweep's standard figures from its runs table: final test accuracy (and final test loss)
 * against the worker count, one series per rule (per engine and rule when the sweep spans
 * engines), mean over seeds with the interval errorBarFigure draws.
 */
export function sweepFigures(runs: ColumnTable): StandardFigures {
  const figures: NamedFigure[] = [];
  const skipped: string[] = [];
  for (const c of ['rule', 'workers']) {
    if (!runs.columnNames().includes(c)) return { figures, skipped: [`the runs table has no "${c}" column`] };
  }
  const engines = runs.columnNames().includes('engine') ? new Set(Array.from(runs.array('engine') as ArrayLike<string>)) : new Set<string>();
  const grouped = runs.derive({ _series: aq.escape((d: { rule: string; engine?: string }) => (engines.size > 1 ? `${d.engine} ${d.rule}` : d.rule)) });
  const workers = Array.from(runs.array('workers') as ArrayLike<number>).filter(Number.isFinite);
  const log = workers.length > 0 && Math.max(...workers) / Math.max(1, Math.min(...workers)) >= 4;
  const seed = runs.columnNames().includes('seed') ? 'seed' : undefined;
  for (const [metric, title] of [
    ['final_test_accuracy', 'final test accuracy'],
    ['final_test_loss', 'final test loss'],
  ] as const) {
    if (!finiteIn(runs, metric)) {
      skipped.push(`${metric}_vs_workers: no run has a ${title} (an objective without accuracy, or no run finished)`);
      continue;
    }
    figures.push({
      name: `${metric}_vs_workers`,
      figure: errorBarFigure(grouped, { x: { column: 'workers', title: 'workers N', log }, y: { column: metric, title }, group: { column: '_series', title: engines.size > 1 ? 'engine rule' : 'rule' }, ...(seed ? { seed } : {}), title: `${title} against workers, per rule` }),
    });
  }
  return { figures, skipped };
}
