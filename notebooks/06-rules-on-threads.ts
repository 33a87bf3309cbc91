// %% [markdown]
// # 06 · Gap-Aware and DANA under real shared-memory staleness
//
// **The question.** Gap-Aware (Barkai et al.) and DANA (Hakimi et al.) were studied on simulated
// or cluster staleness, where N equally fast workers give τ ≈ N − 1 with a narrow spread. Real
// shared-memory AsyncSGD (the ASAP.SGD setting: lock-based, Hogwild!, Leashed-SGD threads) gives
// a different distribution: most updates nearly fresh and a long tail when threads are
// descheduled, and under Hogwild! reads that mix versions. Does a rule keep its standing when the
// staleness is real? Here each rule runs in the threads engine under every sync mode and thread
// count, and beside it the simulator's result **at the same mean τ** (interpolated between the
// simulated worker counts that bracket it).
//
// Two families, each at one step size so that its effective step is the same: GA vs SA vs ASGD
// (plain SGD bases, η = 0.05) and DANA-Zero vs NAG-ASGD vs momentum ASGD (γ = 0.9, η = 0.005, so
// η/(1 − γ) = 0.05). How the rule's state is kept consistent in each mode (the look-ahead's S under
// the lock, racy under Hogwild!, in Leashed-SGD's slot) is in docs/ALGORITHMS.md §4.1.
//
// The profile (`STALELAB_PROFILE`: `smoke`, `quick`, `medium` or `full`) sets the sizes; `full` is the grid
// recorded under `experiments/results/threads-rules-*`. With more threads than cores the threads
// are oversubscribed: that is what stretches the tail of τ, and the cell below says how many
// cores this machine has.

// %%
import * as tslab from 'tslab';
import * as aq from 'arquero';
import os from 'node:os';
import {
  sweep, interruptible, atMatchedStaleness, notebookProfile, forProfile, NotebookReport, histogramFigure, matchedStalenessFigure,
} from 'stalelab';

const profile = notebookProfile();
const report = new NotebookReport({ notebook: '06-rules-on-threads', profile, display: tslab.display });
const cores = os.availableParallelism();

// smoke: a built-in noisy quadratic (no TensorFlow.js), compared on test loss; quick and full: the MLP on MNIST, on test accuracy.
const S = forProfile(profile, {
  smoke: {
    task: { objective: { name: 'quadratic' as const, dim: 200, noise: 0.1 } },
    threads: [2], simWorkers: [1, 2, 3], seeds: [0], steps: 200,
    metric: { column: 'final_test_loss', title: 'final test loss', higherIsBetter: false, diverged: Number.POSITIVE_INFINITY },
  },
  quick: {
    task: { model: { name: 'mlp', widths: [128], init: { normal: 0.01 } }, dataset: { name: 'mnist', trainSize: 6000, testSize: 1000 }, backend: 'auto' },
    threads: [2, 4, 8], simWorkers: [1, 2, 3, 4, 5, 6, 7, 8, 9], seeds: [0], steps: 2000,
    metric: { column: 'final_test_accuracy', title: 'final test accuracy', higherIsBetter: true, diverged: 0.1 },
  },
  // 20,000 updates per run (10× quick's 2,000) on full MNIST, on a grid cut to fit the hour: T ∈ {2, 8}
  // (within and beyond 2 cores) and N ∈ {1, 3, 8} simulated (τ ≈ 0, 2, 7 brackets the threads' mean τ).
  // At the recorded quick speeds (threads-rules-2026-12-01: ≈ 380 updates/s threads, ≈ 260 sim, under load
  // average 5–18): 36 threads runs ≈ 31 min + 18 simulated runs ≈ 23 min ≈ 54 min on 2 cores, estimated. Not run yet.
  medium: {
    task: { model: { name: 'mlp', widths: [128], init: { normal: 0.01 } }, dataset: { name: 'mnist' }, evalSubset: 2000, backend: 'auto' },
    threads: [2, 8], simWorkers: [1, 3, 8], seeds: [0], steps: 20000,
    metric: { column: 'final_test_accuracy', title: 'final test accuracy', higherIsBetter: true, diverged: 0.1 },
  },
  full: {
    task: { model: { name: 'mlp', widths: [128], init: { normal: 0.01 } }, dataset: { name: 'mnist', trainSize: 6000, testSize: 1000 }, backend: 'auto' },
    threads: [2, 4, 8], simWorkers: [1, 2, 3, 4, 5, 6, 7, 8, 9], seeds: [0, 1, 2], steps: 2000,
    metric: { column: 'final_test_accuracy', title: 'final test accuracy', higherIsBetter: true, diverged: 0.1 },
  },
});
const families = [
  { family: 'sgd', lr: 0.05, rules: ['asgd', 'sa', 'ga'] },
  { family: 'momentum', lr: 0.005, rules: ['momentum-asgd', 'nag-asgd', 'dana-zero'] },
];
const syncs = ['lock', 'hogwild', 'leashed'];
const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : Number(x.toPrecision(digits)).toString());
console.log(`profile ${profile}: ${cores} cores, threads ${S.threads.join(', ')} (${S.threads.filter((t) => t > cores).join(', ') || 'none'} oversubscribed), ${S.seeds.length} seed(s), ${S.steps} updates per run`);

// %% [markdown]
// ## 1. The runs
//
// One grid per family on the threads engine (rule × sync × T × seed) and one on the simulator
// (rule × N × seed, gamma compute times), with the same problem, batch 16 and update budget.

// %%
type Table = ReturnType<typeof aq.from>;
const threadRuns: Table[] = [];
const threadUpdates: Table[] = [];
const simRuns: Table[] = [];
for (const f of families) {
  const base = { ...S.task, batchSize: 16, steps: S.steps, lr: f.lr, profile: profile };
  // interruptible: the kernel's interrupt button stops the grid in flight; the runs finished so far are kept.
  const real = await interruptible((control) => sweep({ base: { ...base, engine: 'threads' }, vary: { rule: f.rules, sync: syncs, workers: S.threads, seed: S.seeds } }, { control }));
  const sim = await interruptible((control) => sweep({ base: { ...base, engine: 'sim' }, vary: { rule: f.rules, workers: S.simWorkers, seed: S.seeds } }, { control }));
  threadRuns.push(real.runs.derive({ family: aq.escape(() => f.family) }));
  threadUpdates.push(real.updates.select('rule', 'sync', 'workers', 'staleness').derive({ family: aq.escape(() => f.family) }));
  simRuns.push(sim.runs.derive({ family: aq.escape(() => f.family) }));
}
const runs = report.table('thread_runs', threadRuns[0].concat(...threadRuns.slice(1)).select(
  'family', 'rule', 'sync', 'workers', 'seed', 'cores', 'status', 'staleness_mean', 'staleness_p50', 'staleness_p90', 'staleness_max',
  'gap_rmse_mean', 'penalty_mean', 'torn_reads', 'cas_failures', 'final_test_loss', 'final_test_accuracy', 'updates_per_sec',
), 'one row per threads run');
const sims = report.table('sim_runs', simRuns[0].concat(...simRuns.slice(1)).select(
  'family', 'rule', 'workers', 'seed', 'status', 'staleness_mean', 'staleness_p90', 'staleness_max', 'final_test_loss', 'final_test_accuracy',
), 'one row per simulated run');
const updates = threadUpdates[0].concat(...threadUpdates.slice(1));
const failed = (runs.objects() as { status: string }[]).filter((r) => r.status === 'failed').length;
console.log(`${runs.numRows()} threads runs (${failed} failed), ${sims.numRows()} simulated runs`);

// %% [markdown]
// ## 2. Measured staleness
//
// τ of an update: updates applied between its read and its write. The simulator with N gamma
// workers has mean τ ≈ N − 1 and a narrow spread; the threads' distributions are below.

// %%
const histogram = report.table('staleness_histogram',
  updates.groupby('sync', 'workers', 'staleness').count().rename({ staleness: 'tau' }).orderby('sync', 'workers', 'tau'),
  'staleness counts per sync mode and T (all rules and seeds)');
for (const sync of syncs) {
  report.figure(`staleness_${sync}`, histogramFigure(histogram.filter(aq.escape((d: { sync: string }) => d.sync === sync)), {
    value: { column: 'tau', title: 'staleness τ' }, group: { column: 'workers', title: 'threads T' },
    weight: 'count', clampAt: 40, logY: true, title: `Staleness distribution, ${sync} (all rules)`,
  }));
}
const tauByCell = report.table('staleness_by_rule', runs.groupby('family', 'rule', 'sync', 'workers').rollup({
  staleness_mean: aq.op.mean('staleness_mean'), staleness_p90: aq.op.mean('staleness_p90'), staleness_max: aq.op.max('staleness_max'),
  torn_reads: aq.op.sum('torn_reads'), cas_failures: aq.op.sum('cas_failures'),
}).orderby('family', 'sync', 'workers', 'rule'), 'per rule, mean over seeds');
{
  const rows = tauByCell.objects() as { rule: string; sync: string; workers: number; staleness_mean: number; staleness_p90: number; staleness_max: number }[];
  const Tmax = Math.max(...S.threads);
  const at = (sync: string) => rows.filter((r) => r.sync === sync && r.workers === Tmax);
  const spread = (sync: string) => {
    const m = at(sync).map((r) => r.staleness_mean);
    return `${fmt(Math.min(...m))}–${fmt(Math.max(...m))}`;
  };
  report.markdown([
    `**Measured here** (${cores} cores). At T = ${Tmax} the rules' mean τ ranges over ${syncs.map((s) => `${s} ${spread(s)}`).join(', ')}; ` +
      `the largest τ seen is ${fmt(Math.max(...rows.map((r) => r.staleness_max)))}, against N − 1 = ${Tmax - 1} for ${Tmax} simulated workers.`,
    `The rule is part of the schedule (its step is time spent in the write): at T = ${Tmax}, ${syncs.map((s) => {
      const byTau = at(s).sort((a, b) => a.staleness_mean - b.staleness_mean);
      return `${s}: lowest mean τ ${byTau[0].rule} (${fmt(byTau[0].staleness_mean)}), highest ${byTau[byTau.length - 1].rule} (${fmt(byTau[byTau.length - 1].staleness_mean)})`;
    }).join('; ')}.`,
  ].join('\n'));
}

// %% [markdown]
// ## 3. Each rule under real threads beside the simulator at the same mean τ
//
// Per cell (rule, sync, T; mean over seeds; a diverged run counts as chance, or as an infinite loss
// in the smoke profile): the measured result and the simulator's, interpolated at the cell's
// mean τ. `difference` is threads − simulator.

// %%
const matched = report.table('matched_staleness', aq.from(families.flatMap((f) =>
  atMatchedStaleness(
    runs.filter(aq.escape((d: { family: string }) => d.family === f.family)),
    sims.filter(aq.escape((d: { family: string }) => d.family === f.family)),
    { cell: ['rule', 'sync'], match: ['rule'], metric: S.metric.column, diverged: S.metric.diverged },
  ).objects())).orderby('rule', 'sync', 'workers'), `${S.metric.title}: threads vs the simulator at the same mean τ`);
for (const f of families) {
  report.figure(`matched_${f.family}`, matchedStalenessFigure(
    runs.filter(aq.escape((d: { family: string }) => d.family === f.family)),
    sims.filter(aq.escape((d: { family: string }) => d.family === f.family)),
    { rule: 'rule', mode: 'sync', metric: { column: S.metric.column, title: S.metric.title }, diverged: S.metric.diverged, title: `${f.rules.join(' vs ')}: threads (markers) and simulator (dashed)` },
  ));
}

// %%
{
  type Row = { rule: string; sync: string; workers: number; staleness_mean: number; difference: number; sim_extrapolated: boolean } & Record<string, number>;
  const rows = matched.objects() as Row[];
  const sign = S.metric.higherIsBetter ? 1 : -1;
  const lines = families.flatMap((f) => f.rules.map((rule) => {
    const here = rows.filter((r) => r.rule === rule && Number.isFinite(r.difference));
    const mean = here.reduce((a, r) => a + r.difference, 0) / Math.max(1, here.length);
    const worse = here.filter((r) => sign * r.difference < 0).length;
    const bySync = syncs.map((s) => {
      const d = here.filter((r) => r.sync === s).map((r) => r.difference);
      return `${s} ${fmt(d.reduce((a, b) => a + b, 0) / Math.max(1, d.length), 2)}`;
    }).join(', ');
    return `- **${rule}**: threads − simulator ${fmt(mean, 2)} on average over ${here.length} cells (${bySync}); worse than the simulator in ${worse} of ${here.length}.`;
  }));
  const ranking = (source: 'threads' | 'sim') => families.map((f) => {
    const col = source === 'threads' ? S.metric.column : `sim_${S.metric.column}`;
    const score = f.rules.map((rule) => {
      const v = rows.filter((r) => r.rule === rule).map((r) => r[col]);
      return { rule, v: v.reduce((a, b) => a + b, 0) / Math.max(1, v.length) };
    }).sort((a, b) => sign * (b.v - a.v));
    return score.map((s) => `${s.rule} ${fmt(s.v)}`).join(' > ');
  }).join('; ');
  const extrapolated = rows.filter((r) => r.sim_extrapolated).length;
  report.markdown([
    `**What the runs show** (${S.metric.title}, ${S.seeds.length} seed(s), ${cores} cores):`, '', ...lines, '',
    `Order under real threads (mean over every sync and T): ${ranking('threads')}.`,
    `Order in the simulator at the same mean τ: ${ranking('sim')}.`,
    extrapolated ? `${extrapolated} cell(s) lie outside the simulated τ range and use the nearest simulated point.` : 'Every cell lies inside the simulated τ range.',
    `With ${S.seeds.length} seed(s), differences of the size of the seed spread in the tables above are noise.`,
  ].join('\n'));
}
