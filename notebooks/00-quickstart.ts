// %% [markdown]
// # 00 · Quickstart: one asynchronous-SGD run and its tables
//
// stalelab simulates a cluster of N workers that each read the master's parameters, compute a
// minibatch gradient (taking a gamma-distributed time) and send it back; the master applies every
// gradient as it arrives, so most gradients are **stale**: computed on parameters that several
// other updates have already changed. A run returns tidy [arquero](https://idl.uw.edu/arquero/)
// tables — one row per applied update and one per evaluation — and a record of what ran.
//
// This notebook makes one run (heavy-ball momentum ASGD on 8 simulated workers), shows its
// tables, and plots its loss, accuracy, staleness and gap. The other notebooks compare rules:
// `01-gap-aware`, `02-dana`, and `03-staleness-adaptive` (real threads).
//
// Sizes come from the profile (`STALELAB_PROFILE` = `smoke`, `quick`, `medium` or `full`); every table
// records it in a `profile` column.

// %%
import * as tslab from 'tslab';
import * as aq from 'arquero';
import { join } from 'node:path';
import { runExperiment, interruptible, saveRun, loadRun, notebookProfile, forProfile, NotebookReport, curveFigure, histogramFigure } from 'stalelab';

const profile = notebookProfile();
const report = new NotebookReport({ notebook: '00-quickstart', profile, display: tslab.display });
const fmt = (x: unknown, digits = 3): string => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : 'n/a');

const problem = forProfile(profile, {
  smoke: { model: { name: 'logreg' }, dataset: { name: 'mnist', trainSize: 512, testSize: 256 }, batchSize: 32, epochs: 1, evalEvery: 4 },
  quick: { model: { name: 'mlp', widths: [64] }, dataset: { name: 'mnist', trainSize: 6000, testSize: 2000 }, batchSize: 32, epochs: 3, evalEvery: 25 },
  // 7,500 updates (13× quick's 563) on full MNIST, train split evaluated on 5,000 examples. Estimated
  // ≈ 3 min on 2 cores: the recorded simulator runs of this MLP family go at ≈ 100–160 updates/s
  // (experiments/results/rules-by-workers-2026-11-30, wall_time_sec) plus 31 evaluations. Not run yet.
  medium: { model: { name: 'mlp', widths: [128] }, dataset: { name: 'mnist' }, evalSubset: 5000, batchSize: 32, epochs: 4, evalEvery: 250 },
  full: { model: { name: 'mlp', widths: [256, 128] }, dataset: { name: 'mnist' }, batchSize: 128, epochs: 20, evalEvery: 200 },
});
const config = {
  rule: 'momentum-asgd' as const,
  workers: 8,
  lr: 0.01,
  timing: { kind: 'gamma' as const, shape: 4 },
  ...problem,
  evalSplits: ['test' as const, 'train' as const],
  seed: 1,
  profile,
};
config

// %% [markdown]
// ## The run
//
// `runExperiment(config, control)` validates the config (a misspelled field is an error that names the
// allowed ones), builds the model and data, simulates the workers and returns
// `{ updates, evals, record }`.

// %%
// interruptible: the kernel's interrupt button stops the run after the update in flight and keeps its rows.
const run = await interruptible((control) => runExperiment(config, control));
const summary = run.record.summary ?? {};
const record = report.table('record', aq.from(Object.entries({
  id: run.record.id, status: run.record.status, backend: run.record.backend, wall_time_sec: run.record.wallTimeSec,
  ...summary,
}).map(([field, value]) => ({ field, value: typeof value === 'object' ? JSON.stringify(value) : String(value) }))), 'run record (run.json) and its summary');

// %% [markdown]
// ## Its tables
//
// `updates`: one row per applied update — staleness τ (updates applied between the worker's read
// and this write), gap RMSE ‖θ_apply − x_read‖/√D, the learning rate used, the penalty divisors
// (1 here: no penalty), simulated time, the minibatch loss, samples and epochs processed.
// `evals`: one row per evaluation and split.

// %%
const updates = report.table('updates', run.updates, 'updates table');
const evals = report.table('evals', run.evals, 'evals table');

// %%
report.figure('loss', curveFigure(updates, {
  x: { column: 'epoch', title: 'epochs (samples processed / training-set size)' },
  y: { column: 'loss', title: 'minibatch training loss (cross-entropy)' },
  bins: 40, title: 'Training loss (mean per bin of updates)',
}));
report.figure('accuracy', curveFigure(evals, {
  x: { column: 'epoch', title: 'epochs' },
  y: { column: 'accuracy', title: 'accuracy (fraction correct)' },
  group: { column: 'split', title: 'split' }, mode: 'lines+markers',
  title: 'Accuracy of the master parameters',
}));

// %%
report.figure('staleness', histogramFigure(updates, {
  value: { column: 'staleness', title: 'staleness τ (updates)' }, title: `Staleness of the ${config.workers} workers' gradients`,
}));
report.figure('gap', curveFigure(updates, {
  x: { column: 'sim_time', title: 'simulated time (mean compute times of one gradient)' },
  y: { column: 'gap_rmse', title: 'gap RMSE ‖θ_apply − x_read‖₂/√D' },
  bins: 40, title: 'Gap between the parameters a gradient was computed on and those it is applied to',
}));

// %% [markdown]
// ## What this run shows

// %%
{
  const test = evals.filter(aq.escape((d: { split: string }) => d.split === 'test')).orderby('step').objects() as { step: number; accuracy: number }[];
  const first = test[0];
  const last = test[test.length - 1];
  const tau = updates.rollup({ mean: aq.op.mean('staleness'), max: aq.op.max('staleness'), p90: aq.op.quantile('staleness', 0.9) }).object() as { mean: number; max: number; p90: number };
  report.markdown([
    `The run **${run.record.status}** after ${updates.numRows()} updates (${fmt(summary.epochs)} epochs of ${problem.dataset.name}, ` +
      `${fmt(run.record.wallTimeSec)} s of wall time on the ${run.record.backend} backend).`,
    `Test accuracy went from ${fmt(first.accuracy)} at step 0 to **${fmt(last.accuracy)}** at step ${last.step}.`,
    `Staleness: mean ${fmt(tau.mean)}, 90th percentile ${fmt(tau.p90)}, max ${fmt(tau.max)}. ` +
      `With ${config.workers} always-busy workers of equal mean speed the expected mean is N − 1 = ${config.workers - 1}; ` +
      `the measured mean is ${fmt(Math.abs(tau.mean - (config.workers - 1)) / (config.workers - 1) * 100, 2)}% away from it.`,
  ].join('\n\n'));
}

// %% [markdown]
// ## Saving and loading a run
//
// `saveRun(dir, run)` writes `updates.csv`, `evals.csv` and `run.json`; `loadRun(dir)` reads
// them back as the same tables. Sweeps (`sweep(grid, { outDir })`) save every run this way and
// skip the runs already saved when restarted.

// %%
const dir = join(report.dir, 'run');
saveRun(dir, run);
const loaded = loadRun(dir);
const same = loaded.updates.numRows() === run.updates.numRows() && loaded.record.id === run.record.id &&
  (loaded.updates.array('staleness') as ArrayLike<number>).length === (run.updates.array('staleness') as ArrayLike<number>).length;
console.log(`saved to ${dir}; loaded ${loaded.updates.numRows()} update rows and ${loaded.evals.numRows()} eval rows; same run: ${same}`);
